import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Response } from 'supertest';
import {
  PROBLEM_JSON,
  decision,
  freshProcedureCode,
  procedurePath,
  proceduresPath,
  registration,
  startApi,
  type ApiHarness,
} from '../support/api-app.js';

// Concurrent commands on one procedure: with If-Match exactly one wins; without it every command is
// decided on the state it is appended to (the handler retries a lost race), so no update is lost.

let api: ApiHarness;

beforeAll(async () => {
  api = await startApi();
});

afterAll(async () => {
  await api?.close();
});

async function registered(overrides: Record<string, unknown> = {}): Promise<string> {
  const procedureCode = freshProcedureCode();
  await api.http().post(proceduresPath()).send(registration({ procedureCode, ...overrides })).expect(201);
  return procedureCode;
}

interface StoredEvent {
  type: string;
  revision: number;
  globalPosition: number;
  correlationId: string;
}

async function stream(procedureCode: string): Promise<StoredEvent[]> {
  return (await api.http().get(`${procedurePath(procedureCode)}/events`).expect(200)).body.events;
}

const statuses = (replies: Response[]) => replies.map((r) => r.status).sort();
const count = (replies: Response[], status: number) => replies.filter((r) => r.status === status).length;

describe('50 concurrent conditional commands with the same If-Match', () => {
  it('lets exactly one reclassification through; the other 49 get 412 and append nothing', async () => {
    const procedureCode = await registered({ onlineMode: 'PARTIAL' });
    const before = await api.eventCount();
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api
          .http()
          .post(`${procedurePath(procedureCode)}/reclassify`)
          .set('If-Match', '"0"')
          .set('X-Correlation-Id', `race-${i}`)
          .send(decision({ onlineMode: 'FULL_PROCESS' })),
      ),
    );
    expect(count(replies, 200)).toBe(1);
    expect(count(replies, 412)).toBe(49);
    for (const refused of replies.filter((r) => r.status === 412)) {
      expect(refused.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(refused.body).toMatchObject({ type: 'https://tthc-ledger.dev/problems/revision-mismatch', currentRevision: 1 });
    }
    expect(await api.eventCount()).toBe(before + 1);
    const winner = replies.find((r) => r.status === 200)!;
    const events = await stream(procedureCode);
    expect(events.map((e) => e.type)).toEqual(['ProcedureRegistered', 'ProcedureUpgradedToFullProcess']);
    expect(events[1].correlationId).toBe(winner.headers['x-correlation-id']);
    expect(events[1].globalPosition).toBe(winner.body.events[0].globalPosition);
  }, 30_000);

  it('lets exactly one of 50 different commands (reclassify, disable, withdraw) conditional on the same revision through', async () => {
    const procedureCode = await registered({ onlineMode: 'PARTIAL' });
    const before = await api.eventCount();
    const commands = [
      ['reclassify', decision({ onlineMode: 'FULL_PROCESS' })],
      ['disable-paper-intake', decision()],
      ['withdraw', decision()],
    ] as const;
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => {
        const [command, body] = commands[i % commands.length];
        return api.http().post(`${procedurePath(procedureCode)}/${command}`).set('If-Match', '"0"').send(body);
      }),
    );
    expect(statuses(replies)).toEqual([200, ...Array<number>(49).fill(412)]);
    expect(await api.eventCount()).toBe(before + 1);
    expect(await stream(procedureCode)).toHaveLength(2);
  }, 30_000);
});

describe('concurrent commands without If-Match', () => {
  it('alternating disable and re-enable: every 2xx appended exactly one event, in an order the domain allows', async () => {
    const procedureCode = await registered({ onlineMode: 'FULL_PROCESS' });
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api
          .http()
          .post(`${procedurePath(procedureCode)}/${i % 2 === 0 ? 'disable-paper-intake' : 'reenable-paper-intake'}`)
          .set('X-Correlation-Id', `alternate-${i}`)
          .send(decision()),
      ),
    );
    for (const reply of replies) expect([200, 409]).toContain(reply.status);
    const succeeded = replies.filter((r) => r.status === 200);
    for (const refused of replies.filter((r) => r.status === 409)) {
      expect(refused.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(['PAPER_INTAKE_ALREADY_DISABLED', 'PAPER_INTAKE_ALREADY_ACCEPTED', undefined]).toContain(refused.body.reason);
    }

    const events = (await stream(procedureCode)).slice(1);
    // No lost update: as many events as successful replies, each the event of one of them.
    expect(events).toHaveLength(succeeded.length);
    expect(succeeded.length).toBeGreaterThan(0);
    expect(new Set(events.map((e) => e.globalPosition))).toEqual(new Set(succeeded.map((r) => r.body.events[0].globalPosition)));
    // Decided on the state they were appended to: the events alternate, starting with a disable.
    events.forEach((e, i) => expect(e.type).toBe(i % 2 === 0 ? 'PaperIntakeDisabled' : 'PaperIntakeReenabled'));
    expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => i + 1));

    const state = await api.http().get(procedurePath(procedureCode)).expect(200);
    expect(state.body.paperIntake).toBe(events[events.length - 1].type === 'PaperIntakeDisabled' ? 'DISABLED' : 'ACCEPTED');
    expect(state.body.revision).toBe(events.length);
  }, 30_000);

  it('different commands on the same procedure at once: both take effect, none overwrites the other', async () => {
    const codes = await Promise.all(Array.from({ length: 10 }, () => registered({ onlineMode: 'PARTIAL' })));
    const replies = await Promise.all(
      codes.flatMap((code) => [
        api.http().post(`${procedurePath(code)}/reclassify`).send(decision({ onlineMode: 'FULL_PROCESS' })),
        api.http().post(`${procedurePath(code)}/disable-paper-intake`).send(decision()),
      ]),
    );
    expect(statuses(replies)).toEqual(Array<number>(20).fill(200));
    for (const code of codes) {
      const state = await api.http().get(procedurePath(code)).expect(200);
      expect(state.body).toMatchObject({ onlineMode: 'FULL_PROCESS', paperIntake: 'DISABLED', revision: 2 });
      expect(new Set((await stream(code)).map((e) => e.type))).toEqual(new Set(['ProcedureRegistered', 'ProcedureUpgradedToFullProcess', 'PaperIntakeDisabled']));
    }
  }, 30_000);
});

describe('a retried command with the same Idempotency-Key', () => {
  let locker: pg.Client;

  beforeEach(async () => {
    locker = new pg.Client({ connectionString: api.db.url });
    await locker.connect();
  });

  afterEach(async () => {
    await locker.query('ROLLBACK').catch(() => undefined);
    await locker.end();
  });

  it('appends once while the first attempt is still in flight: the repeats wait and get its reply', async () => {
    const procedureCode = freshProcedureCode();
    const body = registration({ procedureCode });
    const before = await api.eventCount();
    // Appends wait for this lock (readers do not): the first attempt stalls after reserving its key.
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE event_store.events IN EXCLUSIVE MODE');

    const first = api.http().post(proceduresPath()).set('Idempotency-Key', 'in-flight-1').send(body).then((r) => r);
    await until(async () => (await api.sql(`SELECT 1 FROM api.idempotency_keys WHERE key = 'in-flight-1' AND status IS NULL`)).length === 1);
    const repeats = Array.from({ length: 9 }, () => api.http().post(proceduresPath()).set('Idempotency-Key', 'in-flight-1').send(body).then((r) => r));
    await sleep(300);
    expect(await api.eventCount()).toBe(before); // nothing could be appended yet
    await locker.query('COMMIT');

    const replies = [await first, ...(await Promise.all(repeats))];
    expect(statuses(replies)).toEqual(Array<number>(10).fill(201));
    for (const reply of replies) {
      expect(reply.body).toEqual(replies[0].body);
      expect(reply.headers.etag).toBe('"0"');
    }
    expect(replies.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(9);
    expect(await api.eventCount()).toBe(before + 1);
    expect(await stream(procedureCode)).toHaveLength(1);
  }, 30_000);

  it('appends once when retried after the first reply, however many times', async () => {
    const procedureCode = await registered({ onlineMode: 'PARTIAL' });
    const before = await api.eventCount();
    const send = () =>
      api.http().post(`${procedurePath(procedureCode)}/reclassify`).set('Idempotency-Key', 'retry-burst').send(decision({ onlineMode: 'FULL_PROCESS' }));
    const replies = await Promise.all(Array.from({ length: 20 }, send));
    replies.push(await send());
    expect(statuses(replies)).toEqual(Array<number>(21).fill(200));
    for (const reply of replies) expect(reply.body).toEqual(replies[0].body);
    expect(await api.eventCount()).toBe(before + 1);
  }, 30_000);
});

async function until(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}
