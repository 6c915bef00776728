import type { CalendarDate } from '../shared/calendar-date.js';
import { isNationalFactEventType, type AuthorityKind, type AuthorityStreamEvent, type NationalFactEvent } from './authority.events.js';

/*
 * How a unit's identity and its territory over time are keyed, and why.
 *
 * IDENTITY is the 2-digit GSO code, one stream per code (`authority-79`). In Resolution 202/2025/QH15
 * every merged unit kept the code of the unit hosting its political-administrative centre: that unit
 * continues (its government, its decisions, its procedures' streams `procedure-79:…`), and the others
 * dissolve into it. So a code names one continuing legal unit, even when its name changes (15 was Yên
 * Bái and is now Lào Cai: the same unit, renamed, larger) — which is exactly what a procedure stream
 * keyed by code needs: Hồ Chí Minh City's catalogue goes on under 79 across the merger. A code is never
 * taken by a second unit: a dissolved code's stream refuses to be established again (CODE_RETIRED).
 *
 * TERRITORY is keyed by (code, validFrom): each version of a unit governs a set of BASE TERRITORIES,
 * the territories of units as first established (the 63 units of 2008–2025; a base territory is named
 * by the code of the unit that first governed it). Units only merge here, so every unit in force on a
 * date governs a union of base territories, and two units in force on one date never share one. "79
 * in 2023" is base territory 79; "79 from 2025-07-01" is {74, 77, 79}. Comparing territories as sets
 * of base territories is what lets a query answer in 2023 boundaries on a 2026 date (who serves base
 * territory 74 now? 79) or in 2025 boundaries on a 2023 date (79's territory was governed by 74, 77
 * and 79). A split would need base territories below the province (communes); none is recorded.
 */

/** One version of a unit: its name, kind and territory in force on [validFrom, validTo). */
export interface AuthorityVersion {
  validFrom: CalendarDate;
  /** Exclusive; null while in force. */
  validTo: CalendarDate | null;
  name: string;
  nameEn?: string;
  kind: AuthorityKind;
  /** Base territories governed, sorted. */
  territory: string[];
  /** Units absorbed on `validFrom` (empty unless a merger starts this version). */
  absorbed: string[];
  legalBasis?: string;
}

export type AuthorityState =
  | { status: 'unestablished' }
  | {
      status: 'in-force' | 'dissolved';
      authorityCode: string;
      region?: string;
      establishedFrom: CalendarDate;
      /** In validFrom order; the last is open unless the unit is dissolved. */
      versions: AuthorityVersion[];
      /** First day on which the unit no longer exists. */
      dissolvedOn?: CalendarDate;
      successorCode?: string;
      dissolutionLegalBasis?: string;
      lastEffectiveFrom: CalendarDate;
      /** The national facts recorded on the stream (issue 18); absent until the first. */
      facts?: NationalFacts;
    };

/** An assessment of the agency's procedure-handling system (see ProcedureSystemAssessed). */
export interface SystemAssessment {
  assessedOn: CalendarDate;
  meetsAllRequirements: boolean;
  requirements: string;
  source: string;
}

/** A connection to the National Population Database: in force on [connectedOn, disconnectedOn). */
export interface PopulationDatabaseConnection {
  connectedOn: CalendarDate;
  disconnectedOn: CalendarDate | null;
  source: string;
  disconnection?: { source: string; reason?: string };
}

/** The facts of an agency's system, each timeline in date order (append-only in time, as the decider keeps them). */
export interface NationalFacts {
  assessments: SystemAssessment[];
  connections: PopulationDatabaseConnection[];
  /** The latest date a fact is dated on: a dissolution must come after it. */
  lastOn: CalendarDate;
}

export type EstablishedAuthority = Exclude<AuthorityState, { status: 'unestablished' }>;

export const initialAuthorityState = (): AuthorityState => ({ status: 'unestablished' });

export function isNationalFactEvent(event: AuthorityStreamEvent): event is NationalFactEvent {
  return isNationalFactEventType(event.type);
}

/**
 * Folds one event; a version change on the date of the current version amends it in place. National
 * facts (issue 18) change `facts` only, never the unit's versions or `lastEffectiveFrom`.
 */
export function evolveAuthority(state: AuthorityState, event: AuthorityStreamEvent): AuthorityState {
  if (event.type === 'AuthorityEstablished') {
    const d = event.data;
    return {
      status: 'in-force',
      authorityCode: d.authorityCode,
      ...(d.region !== undefined && { region: d.region }),
      establishedFrom: d.effectiveFrom,
      versions: [
        {
          validFrom: d.effectiveFrom,
          validTo: null,
          name: d.name,
          ...(d.nameEn !== undefined && { nameEn: d.nameEn }),
          kind: d.kind,
          territory: [d.authorityCode],
          absorbed: [],
          ...(d.legalBasis !== undefined && { legalBasis: d.legalBasis }),
        },
      ],
      lastEffectiveFrom: d.effectiveFrom,
    };
  }
  if (state.status === 'unestablished') return state; // a corrupt stream: keep the state as it is
  if (isNationalFactEvent(event)) return { ...state, facts: evolveFacts(state.facts ?? { assessments: [], connections: [], lastOn: state.establishedFrom }, event) };
  const { effectiveFrom } = event.data;
  switch (event.type) {
    case 'AuthorityMerged': {
      const versions = state.versions.map((v, i) => (i === state.versions.length - 1 ? { ...v, validTo: effectiveFrom } : v));
      return {
        ...state,
        status: 'dissolved',
        versions,
        dissolvedOn: effectiveFrom,
        successorCode: event.data.successorCode,
        dissolutionLegalBasis: event.data.legalBasis,
        lastEffectiveFrom: effectiveFrom,
      };
    }
    case 'AuthorityRenamed':
      return withVersion(state, effectiveFrom, (v) => ({
        ...v,
        name: event.data.to,
        ...(event.data.nameEn !== undefined && { nameEn: event.data.nameEn }),
        ...(event.data.kind !== undefined && { kind: event.data.kind }),
        legalBasis: event.data.legalBasis,
      }));
    case 'AuthorityAbsorbed':
      return withVersion(state, effectiveFrom, (v) => ({
        ...v,
        territory: [...event.data.territory].sort(),
        absorbed: [...new Set([...v.absorbed, ...event.data.absorbedCodes])].sort(),
        legalBasis: event.data.legalBasis,
      }));
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/** Opens a new version on `date` (closing the current one), or amends the current one if it starts then. */
function withVersion(state: EstablishedAuthority, date: CalendarDate, change: (v: AuthorityVersion) => AuthorityVersion): EstablishedAuthority {
  const current = state.versions[state.versions.length - 1];
  const earlier = state.versions.slice(0, -1);
  const versions =
    current.validFrom === date
      ? [...earlier, change(current)]
      : [...earlier, { ...current, validTo: date }, change({ ...current, validFrom: date, validTo: null, absorbed: [] })];
  return { ...state, versions, lastEffectiveFrom: date };
}

/** The version in force on `date`, if any. */
export function versionOn(state: EstablishedAuthority, date: CalendarDate): AuthorityVersion | undefined {
  return state.versions.find((v) => v.validFrom <= date && (v.validTo === null || date < v.validTo));
}

function evolveFacts(facts: NationalFacts, event: NationalFactEvent): NationalFacts {
  switch (event.type) {
    case 'ProcedureSystemAssessed': {
      const { assessedOn, meetsAllRequirements, requirements, source } = event.data;
      return { ...facts, assessments: [...facts.assessments, { assessedOn, meetsAllRequirements, requirements, source }], lastOn: later(facts.lastOn, assessedOn) };
    }
    case 'PopulationDatabaseConnected': {
      const { connectedOn, source } = event.data;
      return { ...facts, connections: [...facts.connections, { connectedOn, disconnectedOn: null, source }], lastOn: later(facts.lastOn, connectedOn) };
    }
    case 'PopulationDatabaseDisconnected': {
      const { disconnectedOn, source, reason } = event.data;
      const connections = facts.connections.map((c, i) =>
        i === facts.connections.length - 1 && c.disconnectedOn === null
          ? { ...c, disconnectedOn, disconnection: { source, ...(reason !== undefined && { reason }) } }
          : c,
      );
      return { ...facts, connections, lastOn: later(facts.lastOn, disconnectedOn) };
    }
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

const later = (a: CalendarDate, b: CalendarDate) => (a > b ? a : b);

/** The assessment in force on `date` (the latest dated on or before it), if any. */
export function assessmentOn(facts: NationalFacts | undefined, date: CalendarDate): SystemAssessment | undefined {
  return facts?.assessments.filter((a) => a.assessedOn <= date).at(-1);
}

/** The connection in force on `date`, if any. */
export function connectionOn(facts: NationalFacts | undefined, date: CalendarDate): PopulationDatabaseConnection | undefined {
  return facts?.connections.find((c) => c.connectedOn <= date && (c.disconnectedOn === null || date < c.disconnectedOn));
}
