import { nestedDeeperThan } from './json-depth.js';

const nested = (levels: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = i % 2 === 0 ? [value] : { a: value };
  return value;
};

describe('nestedDeeperThan', () => {
  it.each([
    [null, 0, false],
    ['text', 0, false],
    [{}, 1, false],
    [{}, 0, true],
    [nested(32), 32, false],
    [nested(33), 32, true],
    [{ a: 1, b: { c: [1, 2, { d: 3 }] } }, 4, false],
    [{ a: 1, b: { c: [1, 2, { d: {} }] } }, 4, true],
  ])('%j deeper than %i: %s', (value, max, expected) => expect(nestedDeeperThan(value, max)).toBe(expected));

  it('walks 1,000,000 levels without overflowing the stack', () => expect(nestedDeeperThan(nested(1_000_000), 32)).toBe(true));
});
