import { isCalendarDate, vietnamDate } from './calendar-date.js';

describe('isCalendarDate', () => {
  it.each(['2023-06-01', '2024-02-29', '2000-02-29', '1900-01-01', '9999-12-31', '2023-12-31', '2023-04-30', '2031-01-01'])(
    'accepts %s',
    (value) => expect(isCalendarDate(value)).toBe(true),
  );

  it.each([
    ['2023-02-29', 'February 29th of a common year'],
    ['1900-02-29', 'February 29th of a century year not divisible by 400'],
    ['2023-02-30', 'a day that never exists'],
    ['2023-04-31', 'the 31st of a 30-day month'],
    ['2023-13-01', 'month 13'],
    ['2023-00-10', 'month 0'],
    ['2023-01-00', 'day 0'],
    ['2023-01-32', 'day 32'],
    ['1899-12-31', 'a year before 1900'],
    ['0000-01-01', 'year 0'],
    ['99999-01-01', 'a five-digit year'],
    ['2023-6-1', 'unpadded month and day'],
    ['23-06-01', 'a two-digit year'],
    ['2023/06/01', 'slashes'],
    ['01/06/2023', 'the Vietnamese day-first form'],
    ['2023-06-01T00:00:00Z', 'a timestamp'],
    [' 2023-06-01', 'a leading space'],
    ['2023-06-01\n', 'a trailing newline'],
    ['２０２３-06-01', 'full-width digits'],
    ['', 'the empty string'],
  ])('rejects %j (%s)', (value) => expect(isCalendarDate(value)).toBe(false));

  it.each([[20230601], [null], [undefined], [new Date('2023-06-01')], [{}], [['2023-06-01']], [true]])(
    'rejects the non-string %p',
    (value) => expect(isCalendarDate(value)).toBe(false),
  );
});

describe('vietnamDate (UTC+7, no daylight saving)', () => {
  it.each([
    ['2023-05-31T16:59:59.999Z', '2023-05-31'],
    ['2023-05-31T17:00:00Z', '2023-06-01'],
    ['2023-06-01T00:00:00Z', '2023-06-01'],
    ['2023-06-01T16:59:59Z', '2023-06-01'],
    ['2023-12-31T17:00:00Z', '2024-01-01'],
    ['2024-02-28T17:00:00Z', '2024-02-29'],
    ['2023-05-31T23:30:00-07:00', '2023-06-01'],
  ])('dates the instant %s on %s', (instant, expected) => expect(vietnamDate(new Date(instant))).toBe(expected));

  it('returns a calendar date', () => expect(isCalendarDate(vietnamDate(new Date()))).toBe(true));
});
