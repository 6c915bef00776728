// Calendar dates (YYYY-MM-DD, Vietnam's civil calendar) stay strings: they compare correctly as
// strings and never pass through a time zone.

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

export type CalendarDate = string;

/** True for a real Gregorian date between 1900-01-01 and 9999-12-31 (rejects 2023-02-30). */
export function isCalendarDate(value: unknown): value is CalendarDate {
  if (typeof value !== 'string') return false;
  const match = DATE_PATTERN.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1900 || month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Today's date in Vietnam (UTC+7, no daylight saving). */
export function vietnamDate(instant: Date): CalendarDate {
  return new Date(instant.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
}

/** The calendar day before `date` (2025-07-01 → 2025-06-30). */
export function dayBefore(date: CalendarDate): CalendarDate {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}
