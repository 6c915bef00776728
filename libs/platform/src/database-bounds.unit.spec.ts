import { DatabaseCallTimeout, DatabaseMonitor } from './database-bounds.js';

describe('DatabaseMonitor: what the requests saw', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

  it('is reachable with nothing seen yet, and after successes', () => {
    const monitor = new DatabaseMonitor();
    expect(monitor.snapshot()).toEqual({ reachable: true, inFlight: 0, oldestInFlightMs: 0, failuresLastMinute: 0, lastFailure: null, lastSuccessAt: null });
    monitor.finished(monitor.started());
    expect(monitor.snapshot()).toMatchObject({ reachable: true, lastSuccessAt: expect.any(String) });
  });

  it('is unreachable after a failure to reach the database, until a call succeeds', () => {
    const monitor = new DatabaseMonitor();
    monitor.finished(monitor.started());
    monitor.finished(monitor.started(), new DatabaseCallTimeout(20_000));
    expect(monitor.snapshot()).toMatchObject({ reachable: false, failuresLastMinute: 1, lastFailure: { message: expect.stringMatching(/did not answer within 20000 ms/) } });
    monitor.finished(monitor.started());
    expect(monitor.snapshot()).toMatchObject({ reachable: true, failuresLastMinute: 1 });
  });

  it('counts a statement the server refused as an answer, not as a failure to reach it', () => {
    const monitor = new DatabaseMonitor();
    monitor.finished(monitor.started(), Object.assign(new Error('duplicate key'), { code: '23505', severity: 'ERROR' }));
    expect(monitor.snapshot()).toMatchObject({ reachable: true, failuresLastMinute: 0 });
  });

  it('forgets a failure after `recentMs` without traffic, and a failure a minute old', () => {
    const monitor = new DatabaseMonitor({ recentMs: 30_000 });
    monitor.finished(monitor.started(), refused);
    const now = Date.now();
    expect(monitor.snapshot(now + 29_000).reachable).toBe(false);
    expect(monitor.snapshot(now + 31_000)).toMatchObject({ reachable: true, failuresLastMinute: 1 });
    expect(monitor.snapshot(now + 61_000).failuresLastMinute).toBe(0);
  });

  it('is unreachable while a call has been unanswered past `stalledAfterMs`', () => {
    const monitor = new DatabaseMonitor({ stalledAfterMs: 1_000 });
    const call = monitor.started();
    const now = Date.now();
    expect(monitor.snapshot(now + 500)).toMatchObject({ reachable: true, inFlight: 1 });
    expect(monitor.snapshot(now + 1_500)).toMatchObject({ reachable: false, inFlight: 1, oldestInFlightMs: expect.any(Number) });
    monitor.finished(call);
    expect(monitor.snapshot(now + 1_500)).toMatchObject({ reachable: true, inFlight: 0 });
  });
});
