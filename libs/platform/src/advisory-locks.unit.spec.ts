import { ADVISORY_LOCKS } from './advisory-locks.js';

describe('ADVISORY_LOCKS', () => {
  it('gives every use a key of its own: no fixed key repeats, and none falls in a class whose objects are computed', () => {
    const entries = Object.entries(ADVISORY_LOCKS);
    const fixed = entries.filter(([, key]) => Array.isArray(key)).map(([, key]) => (key as readonly number[]).join(','));
    const classes = entries.filter(([, key]) => typeof key === 'number').map(([, key]) => key as number);
    expect(new Set(fixed).size).toBe(fixed.length);
    expect(new Set(classes).size).toBe(classes.length);
    for (const key of fixed) expect(classes).not.toContain(Number(key.split(',')[0]));
  });
});
