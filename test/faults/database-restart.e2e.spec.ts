import { setTimeout as sleep } from 'node:timers/promises';
import { EVENT_STORE, type EventStore, type RecordedEvent } from '@tthc/event-store';
import { PROBLEM_JSON, freshProcedureCode, procedurePath, proceduresPath, registration, startApi, type ApiHarness } from '../support/api-app.js';
import { startOwnPostgres, type OwnPostgres } from '../support/own-postgres.js';

// The database stopped (a fast shutdown: sessions terminated, open transactions rolled back) and
// started again while commands keep coming: they fail with a clean 503 and Retry-After, quickly;
// nothing is half-written; the api recovers by itself, without a restart.

interface Sent {
  correlationId: string;
  kind: 'register' | 'reclassify';
  status: number;
  body: { events?: { type: string; globalPosition: number }[]; type?: string };
  headers: Record<string, string>;
  startedAt: number;
  elapsedMs: number;
}

/** The types a command appends when it succeeds: one registration, or a downgrade that re-enables paper (two events). */
const EXPECTED_TYPES = {
  register: ['ProcedureRegistered'],
  reclassify: ['ProcedureDowngradedToInformationOnly', 'PaperIntakeReenabled'],
};

describe('the database stopped and restarted under load', () => {
  let postgres: OwnPostgres;
  let api: ApiHarness;
  const sent: Sent[] = [];
  let stoppedAt = 0;
  let restartedAt = 0;

  beforeAll(async () => {
    postgres = await startOwnPostgres();
    api = await startApi({ databaseUrl: postgres.url });
  }, 60_000);

  afterAll(async () => {
    await api?.close().catch(() => undefined);
    await postgres?.destroy();
  });

  async function send(kind: Sent['kind'], path: string, body: object, correlationId: string): Promise<Sent> {
    const startedAt = Date.now();
    const res = await api.http().post(path).set('X-Correlation-Id', correlationId).send(body);
    const record: Sent = { correlationId, kind, status: res.status, body: res.body, headers: res.headers, startedAt, elapsedMs: Date.now() - startedAt };
    sent.push(record);
    return record;
  }

  /** Registers procedures (FULL_PROCESS, paper disabled) and downgrades each to information-only: two events in one command. */
  async function worker(id: number, running: () => boolean): Promise<void> {
    for (let i = 0; running(); i++) {
      const procedureCode = freshProcedureCode();
      const registered = await send(
        'register',
        proceduresPath(),
        registration({ procedureCode, onlineMode: 'FULL_PROCESS', paperIntake: 'DISABLED' }),
        `load-${id}-${i}-register`,
      );
      if (registered.status === 201) {
        await send(
          'reclassify',
          `${procedurePath(procedureCode)}/reclassify`,
          { onlineMode: 'INFORMATION_ONLY', effectiveFrom: '2023-07-01', decisionRef: 'QĐ 1/QĐ-UBND' },
          `load-${id}-${i}-reclassify`,
        );
      }
      await sleep(registered.status === 503 ? 100 : 5);
    }
  }

  const successes = (after = 0) => sent.filter((s) => s.status < 300 && s.startedAt >= after).length;

  it('answers 503 while it is down, recovers by itself, and the log holds exactly what the replies said (and whole commands)', async () => {
    let running = true;
    const workers = Promise.all(Array.from({ length: 4 }, (_, id) => worker(id, () => running)));
    await until(() => successes() >= 40, 30_000);

    stoppedAt = Date.now();
    await postgres.stop();
    await sleep(3_000);
    const health = await api.anonymous().get('/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });

    await postgres.start();
    restartedAt = Date.now();
    await until(() => successes(restartedAt) >= 40, 30_000);
    running = false;
    await workers;

    // Every reply is a success or a clean 503: no 500, no other error.
    const byStatus = new Map<number, number>();
    for (const s of sent) byStatus.set(s.status, (byStatus.get(s.status) ?? 0) + 1);
    expect([...byStatus.keys()].sort()).toEqual([200, 201, 503]);
    const unavailable = sent.filter((s) => s.status === 503);
    expect(unavailable.length).toBeGreaterThanOrEqual(4);
    for (const s of unavailable) {
      expect(s.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(s.headers['retry-after']).toBe('5');
      // store-unavailable: nothing was appended; commit-outcome-unknown: the answer to a commit was
      // lost and the database could not be asked (checked against the log below).
      expect(['https://tthc-ledger.dev/problems/store-unavailable', 'https://tthc-ledger.dev/problems/commit-outcome-unknown']).toContain(s.body.type);
      // No hang: a refused connection fails at once, and the pool gives up connecting after 5 s.
      expect(s.elapsedMs).toBeLessThan(6_500);
    }
    expect(sent.filter((s) => s.status === 503 && s.startedAt >= restartedAt + 10_000)).toEqual([]);

    // The log, read through the event store: grouped by correlation id, each group one command.
    const store = api.app.get<EventStore>(EVENT_STORE);
    // Read once the last reply's events are visible: the log's head waits for older transactions
    // (a projector batch open at that instant) to end.
    const lastReplied = Math.max(...sent.filter((s) => s.status < 300).flatMap((s) => s.body.events!.map((e) => e.globalPosition)));
    await until(async () => (await store.headPosition()) >= lastReplied, 10_000);
    const log: RecordedEvent[] = [];
    for (let batch = await store.readAll({ after: 0, limit: 1_000 }); batch.length > 0; batch = await store.readAll({ after: batch.at(-1)!.globalPosition, limit: 1_000 })) {
      log.push(...batch);
    }
    const groups = new Map<string, RecordedEvent[]>();
    // The test's commands only: the provincial-level units set up at start are in the log too.
    for (const event of log.filter((e) => e.streamId.startsWith('procedure-'))) groups.set(event.metadata.correlationId, [...(groups.get(event.metadata.correlationId) ?? []), event]);
    const replies = new Map(sent.map((s) => [s.correlationId, s]));

    // Every successful reply's events are in the log, under its correlation id, and nothing else is.
    for (const s of sent.filter((r) => r.status < 300)) {
      expect(groups.get(s.correlationId)?.map((e) => [e.type, e.globalPosition])).toEqual(s.body.events!.map((e) => [e.type, e.globalPosition]));
    }
    // Nothing half-written, and no 503 that lies: a command whose reply was store-unavailable
    // appended nothing; only one whose commit's answer was lost and could not be checked
    // (commit-outcome-unknown) may have appended all of its events.
    let ambiguous = 0;
    for (const [correlationId, events] of groups) {
      const reply = replies.get(correlationId);
      expect(reply).toBeDefined();
      expect(events.map((e) => e.type)).toEqual(EXPECTED_TYPES[reply!.kind]);
      if (reply!.status === 503) {
        expect(reply!.body.type).toBe('https://tthc-ledger.dev/problems/commit-outcome-unknown');
        ambiguous += 1;
      }
    }
    expect(ambiguous).toBeLessThanOrEqual(4); // at most the one in flight per worker
    // And every stream is whole: revisions 0, 1, 2… without a gap.
    const streams = new Map<string, number[]>();
    for (const event of log) streams.set(event.streamId, [...(streams.get(event.streamId) ?? []), event.revision]);
    for (const revisions of streams.values()) expect(revisions).toEqual(revisions.map((_, i) => i));
    expect(await api.eventCount()).toBe(log.length);
  }, 120_000);

  it('is healthy again, and the projector caught up with the log, without a restart of the api', async () => {
    await until(async () => (await api.anonymous().get('/health')).status === 200, 20_000);
    const head = await api.app.get<EventStore>(EVENT_STORE).headPosition();
    // On a date before the 2025 merger: 74 answers for its own catalogue (after it, 79 serves its territory).
    let res = await api.http().get(`/api/authorities/74/summary?at=2024-01-01&afterPosition=${head}`);
    for (let attempt = 0; res.status === 503 && attempt < 4; attempt++) res = await api.http().get(`/api/authorities/74/summary?at=2024-01-01&afterPosition=${head}`);
    expect(res.status).toBe(200);
    expect(res.body.position).toBeGreaterThanOrEqual(head);
    // Every registration then downgrade that succeeded counts as information-only, paper accepted.
    const registered = sent.filter((s) => s.kind === 'register' && s.status === 201).length;
    expect(res.body.total).toBeGreaterThanOrEqual(registered);
    const health = await api.anonymous().get('/health').expect(200);
    expect(health.body.details.projector).toMatchObject({ status: 'up', lag: 0 });
  }, 60_000);
});

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(50);
  }
}
