import { DomainError, IllegalProcedureTransition } from '../shared/errors.js';
import { decide as decideProcedure } from '../procedure/procedure.decide.js';
import type { ProcedureEvent } from '../procedure/procedure.events.js';
import { evolve, stateOn, type ProcedureState } from '../procedure/procedure.state.js';
import type { DecisionIssued, DecisionItem, IssueDecision, SummaryCounts } from './decision.types.js';
import { itemCommand, validateDecision } from './decision.validation.js';

/** What one item does, decided against its procedure's current state. */
export interface ItemOutcome {
  /** 0-based place in the annex. */
  index: number;
  procedureCode: string;
  action: DecisionItem['action'];
  before: ProcedureState;
  after: ProcedureState;
  events: ProcedureEvent[];
}

/** An item the procedure's current state does not allow; the reason codes are the single commands' (API.md). */
export interface ItemRefusal {
  index: number;
  procedureCode: string;
  /** PROCEDURE_NOT_FOUND or an IllegalProcedureTransition reason such as ALREADY_IN_MODE. */
  reason: string;
  message: string;
  /** For an annex sent as CSV: the line the item is on (set by the api, not the domain). */
  line?: number;
}

export interface DecisionOutcome {
  outcomes: ItemOutcome[];
  refusals: ItemRefusal[];
  /** The change in the authority's counts on the effective date, over the items that pass. */
  effect: SummaryCounts;
}

/** Some items of a decision are refused: nothing of it may be recorded. */
export class DecisionRefused extends DomainError {
  readonly code = 'DECISION_REFUSED';
  constructor(readonly refusals: readonly ItemRefusal[]) {
    super(`${refusals.length} item(s) of the decision are refused; nothing was recorded`);
  }
}

/**
 * Decides every item of a decision against its procedure's current state, all of them (a refused
 * item does not stop the others being judged, so that a preview and a refusal list them all).
 *
 * @param stateOf the current state of each procedure of the authority, by procedure code.
 * @throws InvalidCommand / UnknownAuthority from validateDecision; a refused item is reported, not thrown.
 */
export function decideDecision(command: IssueDecision, stateOf: (procedureCode: string) => ProcedureState): DecisionOutcome {
  validateDecision(command);
  const outcomes: ItemOutcome[] = [];
  const refusals: ItemRefusal[] = [];
  const effect = { ...ZERO };
  command.data.items.forEach((item, index) => {
    const before = stateOf(item.procedureCode);
    try {
      const events = decideProcedure(itemCommand(command.data, item), before);
      const after = events.reduce(evolve, before);
      outcomes.push({ index, procedureCode: item.procedureCode, action: item.action, before, after, events });
      // On the effective date: a late decision's change there may differ from its change to the latest state.
      addCounts(effect, countsOf(stateOn(after, command.data.effectiveFrom)), 1);
      addCounts(effect, countsOf(stateOn(before, command.data.effectiveFrom)), -1);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const reason = error instanceof IllegalProcedureTransition ? error.reason : error.code;
      refusals.push({ index, procedureCode: item.procedureCode, reason, message: error.message });
    }
  });
  return { outcomes, refusals, effect };
}

/**
 * The decision record for a decision whose items all pass.
 *
 * @param annexDigest sha256 hex of `canonicalDecision(command)`, computed by the caller (the domain has no crypto).
 */
export function decisionIssued(command: IssueDecision, outcome: DecisionOutcome, annexDigest: string): DecisionIssued {
  const { authorityCode, number, issuedOn, effectiveFrom, title, items } = canonicalDecision(command).data;
  return {
    type: 'DecisionIssued',
    data: {
      authorityCode,
      number,
      issuedOn,
      effectiveFrom,
      ...(title !== undefined && { title }),
      annexDigest,
      itemCount: items.length,
      eventCount: outcome.outcomes.reduce((n, o) => n + o.events.length, 0),
      items,
      effect: outcome.effect,
    },
  };
}

/**
 * The decision as it is compared and recorded: texts trimmed and NFC, each item's keys in one order,
 * absent fields left out. Two submissions are the same decision when these are equal (JSON or CSV alike).
 */
export function canonicalDecision(command: IssueDecision): IssueDecision {
  const text = (value: string | undefined) => (value === undefined ? undefined : value.trim().normalize('NFC'));
  const { authorityCode, number, issuedOn, effectiveFrom, title, items } = command.data;
  return {
    type: 'IssueDecision',
    data: {
      authorityCode,
      number: number.normalize('NFC'),
      issuedOn,
      effectiveFrom,
      ...(title !== undefined && { title: text(title) }),
      items: items.map((item) => {
        const canonical: Record<string, string> = {};
        for (const key of ITEM_KEYS) {
          const value = text(item[key] as string | undefined);
          if (value !== undefined) canonical[key] = value;
        }
        return canonical as unknown as DecisionItem;
      }),
    },
  };
}

const ITEM_KEYS: readonly (keyof DecisionItem)[] = ['procedureCode', 'action', 'onlineMode', 'name', 'field', 'level', 'paperIntake', 'reason'];

export const ZERO: Readonly<SummaryCounts> = { total: 0, fullProcess: 0, partial: 0, informationOnly: 0, paperIntakeDisabled: 0 };

/** A procedure's part in its authority's counts: in force (offered) or not. */
export function countsOf(state: ProcedureState): SummaryCounts {
  if (state.status !== 'offered') return { ...ZERO };
  return {
    total: 1,
    fullProcess: state.onlineMode === 'FULL_PROCESS' ? 1 : 0,
    partial: state.onlineMode === 'PARTIAL' ? 1 : 0,
    informationOnly: state.onlineMode === 'INFORMATION_ONLY' ? 1 : 0,
    paperIntakeDisabled: state.paperIntake === 'DISABLED' ? 1 : 0,
  };
}

/** `into += sign × counts`, field by field. */
export function addCounts(into: SummaryCounts, counts: SummaryCounts, sign: 1 | -1): SummaryCounts {
  for (const key of Object.keys(ZERO) as (keyof SummaryCounts)[]) into[key] += sign * counts[key];
  return into;
}
