import type { CalendarDate } from '../shared/calendar-date.js';
import type { OnlineMode, PaperIntake } from '../procedure/procedure.events.js';

/** What one line of a decision's annex does to one procedure (the single commands' names, kebab-case). */
export const DECISION_ACTIONS = ['register', 'reclassify', 'disable-paper-intake', 'reenable-paper-intake', 'withdraw'] as const;
export type DecisionAction = (typeof DECISION_ACTIONS)[number];

/** One item of the annex (phụ lục): a procedure and what the decision does to it. */
export interface DecisionItem {
  procedureCode: string;
  action: DecisionAction;
  /** register (required), reclassify (required). */
  onlineMode?: OnlineMode;
  /** register only (name required). */
  name?: string;
  field?: string;
  level?: string;
  paperIntake?: PaperIntake;
  /** Any action but register. */
  reason?: string;
}

/** A provincial decision (quyết định) as issued: its number as printed, dates, annex. */
export interface IssueDecision {
  type: 'IssueDecision';
  data: {
    /** The issuing authority: the 2-digit provincial code. */
    authorityCode: string;
    /** As printed, e.g. `1500/QĐ-UBND` or `24/2023/QĐ-UBND`. */
    number: string;
    issuedOn: CalendarDate;
    effectiveFrom: CalendarDate;
    title?: string;
    items: readonly DecisionItem[];
  };
}

/** Counts of an authority's procedures in force on a date, or a change of them (the read models' summary counts). */
export interface SummaryCounts {
  total: number;
  fullProcess: number;
  partial: number;
  informationOnly: number;
  paperIntakeDisabled: number;
}

/** The decision record: the first and only event of its stream. */
export type DecisionIssued = {
  type: 'DecisionIssued';
  data: {
    authorityCode: string;
    number: string;
    issuedOn: CalendarDate;
    effectiveFrom: CalendarDate;
    title?: string;
    /** sha256 (hex) of the canonical decision content (`decisionDigest`): tells a repeat from a different decision of the same number. */
    annexDigest: string;
    itemCount: number;
    /** Procedure events the decision appended, all causally linked to this one. */
    eventCount: number;
    /** The items, in annex order: the record of what was decided. */
    items: readonly DecisionItem[];
    /** What the decision changed in the authority's counts on its effective date. */
    effect: SummaryCounts;
  };
};

export type DecisionEvent = DecisionIssued;
export const DECISION_EVENT_TYPES: readonly DecisionEvent['type'][] = ['DecisionIssued'];
/** Schema version of DecisionIssued's `data` (bump with an upcaster when its shape changes). */
export const DECISION_EVENT_SCHEMA_VERSION = 1;
