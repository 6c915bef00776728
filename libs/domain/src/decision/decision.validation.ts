import { isCalendarDate } from '../shared/calendar-date.js';
import { DomainError, InvalidCommand, type FieldError } from '../shared/errors.js';
import type { ProcedureCommand, RecordingCommand } from '../procedure/procedure.commands.js';
import { AUTHORITY_CODE_PATTERN, FORBIDDEN_CHARACTERS, validateCommand } from '../procedure/procedure.validation.js';
import { DECISION_ACTIONS, type DecisionItem, type IssueDecision } from './decision.types.js';

/**
 * A decision's number as printed on it (số ký hiệu, Decree 30/2020/NĐ-CP, Appendix I): a serial
 * number, optionally the year, then the document type and issuer abbreviations joined by hyphens:
 * `1500/QĐ-UBND`, `24/2023/QĐ-UBND`. Upper-case letters (Đ included) and digits only, so that the
 * number is safe as it is in a stream id and, percent-encoded, in a URL.
 */
export const DECISION_NUMBER_PATTERN = /^[0-9]{1,6}(\/[0-9]{4})?\/[\p{Lu}0-9]+(-[\p{Lu}0-9]+){0,4}$/u;
export const DECISION_LIMITS = { number: 50, title: 1000, items: 100_000 } as const;

/** Fields each action takes besides procedureCode and action; anything else is a mistake worth naming. */
const FIELDS_OF: Record<(typeof DECISION_ACTIONS)[number], readonly (keyof DecisionItem)[]> = {
  register: ['name', 'field', 'level', 'onlineMode', 'paperIntake'],
  reclassify: ['onlineMode', 'reason'],
  'disable-paper-intake': ['reason'],
  'reenable-paper-intake': ['reason'],
  withdraw: ['reason'],
};

const ITEM_FIELDS = new Set<string>(['procedureCode', 'action', 'onlineMode', 'name', 'field', 'level', 'paperIntake', 'reason']);

/** Stream of one decision of one authority, the number as printed (NFC): `decision-74:1500/QĐ-UBND`. */
export const DECISION_STREAM_CATEGORY = 'decision';
export function decisionStreamId(authorityCode: string, number: string): string {
  return `${DECISION_STREAM_CATEGORY}-${authorityCode}:${number.normalize('NFC')}`;
}

/** Checks a decision number alone (path parameters); throws InvalidCommand naming `number`. */
export function validateDecisionNumber(number: unknown): asserts number is string {
  const errors = numberErrors(number);
  if (errors.length > 0) throw new InvalidCommand(errors);
}

function numberErrors(number: unknown): FieldError[] {
  if (typeof number !== 'string' || number.length > DECISION_LIMITS.number || !DECISION_NUMBER_PATTERN.test(number.normalize('NFC'))) {
    return [{ field: 'number', message: `must be a decision number as printed, such as 1500/QĐ-UBND or 24/2023/QĐ-UBND (at most ${DECISION_LIMITS.number} characters)` }];
  }
  return [];
}

/**
 * The single command an item stands for, dated and referenced by the decision. The item's own
 * fields are passed as they are: validateCommand judges them exactly as it judges a single command.
 */
export function itemCommand(decision: IssueDecision['data'], item: DecisionItem): RecordingCommand {
  const key = { authorityCode: decision.authorityCode, procedureCode: item.procedureCode };
  const dated = { ...key, effectiveFrom: decision.effectiveFrom, decisionRef: decision.number, ...(item.reason !== undefined && { reason: item.reason }) };
  switch (item.action) {
    case 'register': {
      const { name, field, level, onlineMode, paperIntake } = item;
      return {
        type: 'RegisterProcedure',
        data: {
          ...key,
          name: name as string,
          ...(field !== undefined && { field }),
          ...(level !== undefined && { level }),
          onlineMode: onlineMode as NonNullable<DecisionItem['onlineMode']>,
          ...(paperIntake !== undefined && { paperIntake }),
          effectiveFrom: decision.effectiveFrom,
          decisionRef: decision.number,
        },
      };
    }
    case 'reclassify':
      return { type: 'ReclassifyProcedure', data: { ...dated, onlineMode: item.onlineMode as NonNullable<DecisionItem['onlineMode']> } };
    case 'disable-paper-intake':
      return { type: 'DisablePaperIntake', data: dated };
    case 'reenable-paper-intake':
      return { type: 'ReenablePaperIntake', data: dated };
    case 'withdraw':
      return { type: 'WithdrawProcedure', data: dated };
    default: {
      const _exhaustive: never = item.action;
      return _exhaustive;
    }
  }
}

/**
 * Checks a decision's shape: the header, then every item as the single command it stands for, with
 * each error's field named `items[i].field` (0-based i, annex order). A procedure may appear once per
 * decision. Throws InvalidCommand listing every error.
 */
export function validateDecision(command: IssueDecision): void {
  const data = command.data as unknown as Record<string, unknown>;
  const errors: FieldError[] = [];
  if (typeof data.authorityCode !== 'string' || !AUTHORITY_CODE_PATTERN.test(data.authorityCode)) {
    errors.push({ field: 'authorityCode', message: 'must be a 2-digit provincial code such as 74' });
  }
  errors.push(...numberErrors(data.number));
  for (const field of ['issuedOn', 'effectiveFrom'] as const) {
    if (!isCalendarDate(data[field])) errors.push({ field, message: 'must be a real calendar date YYYY-MM-DD' });
  }
  if (data.title !== undefined) {
    const title = data.title;
    if (typeof title !== 'string' || title.trim().length === 0) errors.push({ field: 'title', message: 'must be a non-empty string' });
    else if (title.length > DECISION_LIMITS.title) errors.push({ field: 'title', message: `must be at most ${DECISION_LIMITS.title} characters` });
    else if (FORBIDDEN_CHARACTERS.test(title)) errors.push({ field: 'title', message: 'must not contain control, bidirectional or zero-width characters' });
  }
  const items = data.items;
  if (Array.isArray(items) && items.length > DECISION_LIMITS.items) throw new DecisionTooLarge(items.length);
  if (!Array.isArray(items) || items.length === 0) {
    errors.push({ field: 'items', message: 'must list at least one item' });
  } else if (errors.length === 0) {
    errors.push(...itemErrors(command.data, items as DecisionItem[]));
  }
  // Whether the authority exists and is in force on the effective date is its stream's to say (the application).
  if (errors.length > 0) throw new InvalidCommand(errors);
}

/** At most this many item errors are listed: an annex in the wrong format would otherwise answer megabytes. */
const MAX_ITEM_ERRORS = 100;

function itemErrors(decision: IssueDecision['data'], items: readonly DecisionItem[]): FieldError[] {
  const errors: FieldError[] = [];
  const firstIndex = new Map<string, number>();
  for (const [index, item] of items.entries()) {
    if (errors.length >= MAX_ITEM_ERRORS) break;
    const at = (field: string) => `items[${index}].${field}`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      errors.push({ field: `items[${index}]`, message: 'must be an object' });
      continue;
    }
    if (!(DECISION_ACTIONS as readonly unknown[]).includes(item.action)) {
      errors.push({ field: at('action'), message: `must be one of ${DECISION_ACTIONS.join(', ')}` });
      continue;
    }
    for (const key of Object.keys(item) as (keyof DecisionItem)[]) {
      if (!ITEM_FIELDS.has(key)) errors.push({ field: at(key), message: `is not a field of an item (${[...ITEM_FIELDS].join(', ')})` });
      else if (key !== 'procedureCode' && key !== 'action' && item[key] !== undefined && !FIELDS_OF[item.action].includes(key)) {
        errors.push({ field: at(key), message: `is not used by action ${item.action}` });
      }
    }
    try {
      validateCommand(itemCommand(decision, item));
    } catch (error) {
      if (!(error instanceof InvalidCommand)) throw error;
      errors.push(...error.errors.map((e) => ({ field: at(e.field), message: e.message })));
      continue;
    }
    const first = firstIndex.get(item.procedureCode);
    if (first !== undefined) {
      errors.push({ field: at('procedureCode'), message: `${item.procedureCode} already appears at items[${first}]: a decision changes a procedure once` });
    } else {
      firstIndex.set(item.procedureCode, index);
    }
  }
  return errors;
}

/**
 * A decision with more items than DECISION_LIMITS.items (100,000): refused whole, before any item is
 * judged or any stream read (413 decision-too-large, naming the limit).
 */
export class DecisionTooLarge extends DomainError {
  readonly code = 'DECISION_TOO_LARGE';
  readonly limit = DECISION_LIMITS.items;
  /**
   * @param items how many items it has, when known (a CSV annex stops being read at the first row over the limit: undefined)
   * @param line a CSV annex's: the line of the first row over the limit
   */
  constructor(
    readonly items?: number,
    readonly line?: number,
  ) {
    super(
      `A decision lists at most ${DECISION_LIMITS.items.toLocaleString('en')} items; ` +
        (line !== undefined
          ? `the annex has more (line ${line} is row ${(DECISION_LIMITS.items + 1).toLocaleString('en')})`
          : `this one has ${(items ?? DECISION_LIMITS.items + 1).toLocaleString('en')}`) +
        '; split it into several decisions or annexes. Nothing was appended',
    );
  }
}

/** A decision of this number exists with other content (its annex digest differs). */
export class DecisionNumberTaken extends DomainError {
  readonly code = 'DECISION_NUMBER_TAKEN';
  constructor(
    readonly authorityCode: string,
    readonly number: string,
  ) {
    super(`Decision ${number} of authority ${authorityCode} was already issued with other content`);
  }
}

export class DecisionNotFound extends DomainError {
  readonly code = 'DECISION_NOT_FOUND';
  constructor(
    readonly authorityCode: string,
    readonly number: string,
  ) {
    super(`No decision ${number} has been issued for authority ${authorityCode}`);
  }
}
