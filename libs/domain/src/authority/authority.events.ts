import type { CalendarDate } from '../shared/calendar-date.js';

/** The two kinds of provincial-level unit: tỉnh (province) and thành phố trực thuộc trung ương (city). */
export const AUTHORITY_KINDS = ['PROVINCE', 'CITY'] as const;
export type ProvincialKind = (typeof AUTHORITY_KINDS)[number];

/**
 * The central agencies that join the provincial-level units as authorities (issue 18): bộ (ministry)
 * and cơ quan ngang bộ (ministry-level agency). They have procedure-handling systems and connect to the
 * National Population Database like the provinces, but govern no territory: they take no part in the
 * lineage of provincial-level units, its boundary sets or the national table.
 */
export const AGENCY_KINDS = ['MINISTRY', 'MINISTERIAL_AGENCY'] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];

export type AuthorityKind = ProvincialKind | AgencyKind;

/**
 * A central agency's code: `B` (bộ) and two digits, this ledger's own (no official registry of agency
 * codes was found in the sources). Provincial codes are exactly two digits, so no agency code can
 * ever equal one, and the streams `authority-B05` and `authority-74` can never be the same.
 */
export const AGENCY_CODE_PATTERN = /^B[0-9]{2}$/;

export function isAgencyKind(kind: unknown): kind is AgencyKind {
  return (AGENCY_KINDS as readonly unknown[]).includes(kind);
}

/**
 * A unit comes into the record (the 63 units of 2008–2025 are established on the date the 63-unit map
 * took effect; a later unit on its own date).
 */
export type AuthorityEstablished = {
  type: 'AuthorityEstablished';
  data: {
    authorityCode: string;
    name: string;
    nameEn?: string;
    kind: AuthorityKind;
    /** Region of [S11] (shared/DOMAIN.md §4): that repository's own grouping, kept for dashboards. */
    region?: string;
    effectiveFrom: CalendarDate;
    legalBasis?: string;
  };
};

/** The unit takes another name (and possibly kind): Thừa Thiên Huế → Huế, Yên Bái → Lào Cai. */
export type AuthorityRenamed = {
  type: 'AuthorityRenamed';
  data: {
    authorityCode: string;
    from: string;
    to: string;
    nameEn?: string;
    kind?: AuthorityKind;
    effectiveFrom: CalendarDate;
    legalBasis: string;
  };
};

/**
 * On the dissolved unit's stream: from `effectiveFrom` its territory belongs to `successorCode`, which
 * continues as the host (Resolution 202/2025/QH15: Bình Dương 74 → Hồ Chí Minh 79 on 2025-07-01).
 */
export type AuthorityMerged = {
  type: 'AuthorityMerged';
  data: { authorityCode: string; successorCode: string; effectiveFrom: CalendarDate; legalBasis: string };
};

/**
 * On the host's stream, the other half of a merger: it absorbs `absorbedCodes` and from
 * `effectiveFrom` governs `territory` (the whole of it, in base territories: see authority.state.ts).
 * The territory is carried in the event so that the host's stream folds on its own.
 */
export type AuthorityAbsorbed = {
  type: 'AuthorityAbsorbed';
  data: {
    authorityCode: string;
    absorbedCodes: string[];
    territory: string[];
    effectiveFrom: CalendarDate;
    legalBasis: string;
  };
};

export type AuthorityEvent = AuthorityEstablished | AuthorityRenamed | AuthorityMerged | AuthorityAbsorbed;

/**
 * The agency's procedure-handling information system (hệ thống thông tin giải quyết TTHC) assessed
 * against the functional and technical requirements of Circular 21/2023/TT-BTTTT: it meets all of
 * them, or not, as assessed on `assessedOn` by the report named in `source`. A later assessment
 * supersedes it from its own date.
 */
export type ProcedureSystemAssessed = {
  type: 'ProcedureSystemAssessed';
  data: { authorityCode: string; assessedOn: CalendarDate; meetsAllRequirements: boolean; requirements: string; source: string };
};

/** The agency's system connected to the National Population Database (Cơ sở dữ liệu quốc gia về dân cư) from `connectedOn`. */
export type PopulationDatabaseConnected = {
  type: 'PopulationDatabaseConnected';
  data: { authorityCode: string; connectedOn: CalendarDate; source: string };
};

/** The connection ended on `disconnectedOn` (the first day without it). */
export type PopulationDatabaseDisconnected = {
  type: 'PopulationDatabaseDisconnected';
  data: { authorityCode: string; disconnectedOn: CalendarDate; source: string; reason?: string };
};

/** The national facts recorded on an authority's stream, beside its lineage events. */
export type NationalFactEvent = ProcedureSystemAssessed | PopulationDatabaseConnected | PopulationDatabaseDisconnected;
export type NationalFactEventType = NationalFactEvent['type'];

/** Stored event names are a contract: never rename one. Not lineage events: isAuthorityEventType is false for them. */
export const NATIONAL_FACT_EVENT_TYPES: readonly NationalFactEventType[] = ['ProcedureSystemAssessed', 'PopulationDatabaseConnected', 'PopulationDatabaseDisconnected'];

export function isNationalFactEventType(type: string): type is NationalFactEventType {
  return (NATIONAL_FACT_EVENT_TYPES as readonly string[]).includes(type);
}

/** Everything an `authority-<code>` stream holds. */
export type AuthorityStreamEvent = AuthorityEvent | NationalFactEvent;
export type AuthorityEventType = AuthorityEvent['type'];

/** Stored event names are a contract: never rename one; add a type and upcast instead. */
export const AUTHORITY_EVENT_TYPES: readonly AuthorityEventType[] = [
  'AuthorityEstablished',
  'AuthorityRenamed',
  'AuthorityMerged',
  'AuthorityAbsorbed',
];

export const AUTHORITY_EVENT_SCHEMA_VERSION = 1;

export function isAuthorityEventType(type: string): type is AuthorityEventType {
  return (AUTHORITY_EVENT_TYPES as readonly string[]).includes(type);
}
