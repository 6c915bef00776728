/** Inclusive bounds of an integer parameter. */
export interface IntegerRange {
  min: number;
  max: number;
}

const DECIMAL_DIGITS = /^\d{1,16}$/;

/**
 * The one reading of an integer typed by a person or a script (query parameter, cli option,
 * environment variable): decimal digits only, within `range`. `Number()` alone would also take
 * `0x10`, `1e3`, `0b11`, `1.0`, ` ` and `` (the last two as 0).
 *
 * @returns the integer, or undefined when `raw` is not such a string (or is out of range): the
 *   caller reports `integerRangeMessage(range)`.
 * @example parseDecimalInteger('100', { min: 1, max: 1000 }) // 100
 * @example parseDecimalInteger('1e3', { min: 1, max: 1000 }) // undefined
 */
export function parseDecimalInteger(raw: unknown, range: IntegerRange): number | undefined {
  if (typeof raw !== 'string' || !DECIMAL_DIGITS.test(raw)) return undefined;
  const value = Number(raw);
  return Number.isSafeInteger(value) && value >= range.min && value <= range.max ? value : undefined;
}

/** The message for a value `parseDecimalInteger` refused: 'must be an integer from 1 to 1000'. */
export function integerRangeMessage(range: IntegerRange): string {
  return `must be an integer from ${range.min} to ${range.max}`;
}

/** Global log positions and revisions: 0 up to the largest integer a JavaScript number holds exactly. */
export const POSITION_RANGE: IntegerRange = { min: 0, max: Number.MAX_SAFE_INTEGER };
