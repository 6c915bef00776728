import type { CalendarDate } from '../shared/calendar-date.js';

/** The two kinds of provincial-level unit: tỉnh (province) and thành phố trực thuộc trung ương (city). */
export const AUTHORITY_KINDS = ['PROVINCE', 'CITY'] as const;
export type AuthorityKind = (typeof AUTHORITY_KINDS)[number];

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
