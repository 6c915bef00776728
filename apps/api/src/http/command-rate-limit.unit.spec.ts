import { CommandRateLimiter, TooManyRequests } from './command-rate-limit.js';

describe('CommandRateLimiter', () => {
  const limiter = () => new CommandRateLimiter({ limit: 2, windowSeconds: 10 });

  it('lets `limit` commands per window through, then refuses with the seconds left', () => {
    const l = limiter();
    expect(l.hit('a', 0)).toEqual({ remaining: 1, resetSeconds: 10 });
    expect(l.hit('a', 1_000)).toEqual({ remaining: 0, resetSeconds: 9 });
    const third = l.hit('a', 2_500);
    expect(third.refused).toBeInstanceOf(TooManyRequests);
    expect(third.refused?.retryAfterSeconds).toBe(8);
  });

  it('counts each client on its own, and starts a new window when one ends', () => {
    const l = limiter();
    l.hit('a', 0);
    l.hit('a', 0);
    expect(l.hit('b', 0).refused).toBeUndefined();
    expect(l.hit('a', 9_999).refused).toBeDefined();
    expect(l.hit('a', 10_000)).toEqual({ remaining: 1, resetSeconds: 10 });
  });

  it('forgets ended windows once it holds many clients', () => {
    const l = limiter();
    for (let i = 0; i < 10_000; i++) l.hit(`client-${i}`, 0);
    l.hit('late', 20_000);
    expect((l as unknown as { windows: Map<string, unknown> }).windows.size).toBe(1);
  });
});
