import { requestHash } from './idempotency.store.js';

describe('requestHash', () => {
  const body = { onlineMode: 'FULL_PROCESS', effectiveFrom: '2023-07-01', nested: { b: 1, a: [1, { d: 2, c: 3 }] } };

  it('ignores the order of keys at every depth', () => {
    const reordered = { nested: { a: [1, { c: 3, d: 2 }], b: 1 }, effectiveFrom: '2023-07-01', onlineMode: 'FULL_PROCESS' };
    expect(requestHash('POST', '/api/x', reordered)).toBe(requestHash('POST', '/api/x', body));
  });

  it.each([
    ['another method', () => requestHash('PUT', '/api/x', body)],
    ['another path', () => requestHash('POST', '/api/y', body)],
    ['another value', () => requestHash('POST', '/api/x', { ...body, effectiveFrom: '2023-07-02' })],
    ['another array order', () => requestHash('POST', '/api/x', { ...body, nested: { b: 1, a: [{ d: 2, c: 3 }, 1] } })],
    ['a missing body', () => requestHash('POST', '/api/x', undefined)],
  ])('differs for %s', (_, other) => expect(other()).not.toBe(requestHash('POST', '/api/x', body)));
});

describe('requestHash with the caller', () => {
  const body = { effectiveFrom: '2023-07-01', decisionRef: 'QĐ 1' };

  it('differs between callers, so that one cannot replay the reply of another', () =>
    expect(requestHash('POST', '/api/x', body, 'alice')).not.toBe(requestHash('POST', '/api/x', body, 'bob')));

  it('is the same for the same caller', () => expect(requestHash('POST', '/api/x', body, 'alice')).toBe(requestHash('POST', '/api/x', body, 'alice')));

  it('cannot be forged by a caller whose name ends the way a request starts', () =>
    expect(requestHash('POST', '/api/x', body, 'a\nPOST')).not.toBe(requestHash('POST', '/api/x', body, 'a')));
});
