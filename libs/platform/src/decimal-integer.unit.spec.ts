import { integerRangeMessage, parseDecimalInteger, POSITION_RANGE } from './decimal-integer.js';

describe('parseDecimalInteger', () => {
  const range = { min: 1, max: 1000 };

  it.each([
    ['1', 1],
    ['1000', 1000],
    ['007', 7],
  ])('reads %j as %d', (raw, expected) => {
    expect(parseDecimalInteger(raw, range)).toBe(expected);
  });

  it.each(['0x10', '1e3', '1e1', '0b11', '0o7', '1.0', '1.5', '', ' ', ' 5', '5 ', '+5', '-1', '0', '1001', 'abc', 'Infinity', 'NaN', '١٢'])(
    'refuses %j',
    (raw) => {
      expect(parseDecimalInteger(raw, range)).toBeUndefined();
    },
  );

  it('refuses what is not a string: arrays of repeated query parameters, numbers, null', () => {
    expect(parseDecimalInteger(['1', '2'], range)).toBeUndefined();
    expect(parseDecimalInteger(5, range)).toBeUndefined();
    expect(parseDecimalInteger(null, range)).toBeUndefined();
  });

  it('reads positions up to the largest safe integer, and no further', () => {
    expect(parseDecimalInteger('9007199254740991', POSITION_RANGE)).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseDecimalInteger('9007199254740992', POSITION_RANGE)).toBeUndefined();
    expect(parseDecimalInteger('99999999999999999999', POSITION_RANGE)).toBeUndefined();
  });

  it('says the range in one message', () => {
    expect(integerRangeMessage(range)).toBe('must be an integer from 1 to 1000');
  });
});
