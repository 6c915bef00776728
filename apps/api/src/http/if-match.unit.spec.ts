import { parseIfMatch } from './if-match.js';
import { InvalidRequest } from './invalid-request.error.js';

describe('parseIfMatch', () => {
  it('is undefined without the header', () => expect(parseIfMatch(undefined)).toBeUndefined());

  it.each([
    ['"3"', 3],
    ['3', 3],
    ['W/"3"', 3],
    [' "0" ', 0],
    ['"2147483647"', 2147483647],
  ])('reads %j as revision %i', (header, revision) => expect(parseIfMatch(header)).toBe(revision));

  it.each(['', '*', '"3", "4"', '"-1"', '-1', '"3', 'W/3x', '"2147483648"', '"1e3"', '"٣"'])('refuses %j', (header) =>
    expect(() => parseIfMatch(header)).toThrow(InvalidRequest),
  );

  it('refuses a repeated header', () => expect(() => parseIfMatch(['"1"', '"2"'])).toThrow(InvalidRequest));
});
