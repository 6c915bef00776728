import type { CalendarDate } from '../shared/calendar-date.js';
import type { AuthorityKind } from './authority.events.js';
import type { NationalFactCommand } from './national-facts.decide.js';

export type EstablishAuthority = {
  type: 'EstablishAuthority';
  data: {
    authorityCode: string;
    name: string;
    nameEn?: string;
    kind: AuthorityKind;
    region?: string;
    effectiveFrom: CalendarDate;
    legalBasis?: string;
  };
};

export type RenameAuthority = {
  type: 'RenameAuthority';
  data: { authorityCode: string; name: string; nameEn?: string; kind?: AuthorityKind; effectiveFrom: CalendarDate; legalBasis: string };
};

/** One stream's half of a merger: this unit dissolves into `successorCode`. */
export type DissolveAuthority = {
  type: 'DissolveAuthority';
  data: { authorityCode: string; successorCode: string; effectiveFrom: CalendarDate; legalBasis: string };
};

/**
 * The host's half of a merger: it absorbs these units, whose territories (as they stand the day
 * before `effectiveFrom`) the application reads from their streams.
 */
export type AbsorbAuthorities = {
  type: 'AbsorbAuthorities';
  data: {
    authorityCode: string;
    absorbed: { authorityCode: string; territory: string[] }[];
    effectiveFrom: CalendarDate;
    legalBasis: string;
  };
};

/** Every command on an `authority-<code>` stream: its lineage, and the national facts about it (issue 18). */
export type AuthorityCommand = EstablishAuthority | RenameAuthority | DissolveAuthority | AbsorbAuthorities | NationalFactCommand;

/**
 * A reorganisation as a legal instrument states it (one group of Resolution 202/2025/QH15): the
 * units `predecessorCodes` dissolve into `successorCode`, which continues (the host keeps its code)
 * and may take a new name. The application turns it into the commands above, one per stream.
 */
export interface Reorganisation {
  successorCode: string;
  predecessorCodes: string[];
  /** The successor's name from `effectiveFrom`, when it changes (Yên Bái 15 becomes Lào Cai). */
  successorName?: string;
  successorNameEn?: string;
  successorKind?: AuthorityKind;
  effectiveFrom: CalendarDate;
  legalBasis: string;
}
