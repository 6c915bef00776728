import { setTimeout as sleep } from 'node:timers/promises';
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

/*
 * Time travel (a procedure's state on a date, as recorded at an instant, from its events alone) and
 * reproducible reports (a summary, movement, national table or list as the log stood at a position).
 */

let api: ApiHarness;

beforeAll(async () => {
  api = await startApi();
});

afterAll(async () => {
  await api?.close();
});

/** The position a command's reply ends at. */
const lastPosition = (body: { events: { globalPosition: number }[] }) => body.events[body.events.length - 1].globalPosition;

describe('GET /api/authorities/{a}/procedures/{p}/state?at=&knownAt=', () => {
  const procedureCode = freshProcedureCode();
  const statePath = `${procedurePath(procedureCode)}/state`;
  let registeredAt: string;
  let reclassifiedAt: string;
  let lastEvent: number;

  beforeAll(async () => {
    await api.http().post(proceduresPath()).send(registration({ procedureCode, onlineMode: 'PARTIAL', effectiveFrom: '2023-06-01' })).expect(201);
    await sleep(5);
    await api.http().post(`${procedurePath(procedureCode)}/reclassify`).send({ ...decision({ effectiveFrom: '2023-08-20' }), onlineMode: 'FULL_PROCESS' }).expect(200);
    await sleep(5);
    const withdrawal = await api.http().post(`${procedurePath(procedureCode)}/withdraw`).send(decision({ effectiveFrom: '2024-01-01' })).expect(200);
    lastEvent = lastPosition(withdrawal.body);
    const { body } = await api.as('auditor').get(`${procedurePath(procedureCode)}/events`).expect(200);
    [registeredAt, reclassifiedAt] = body.events.map((e: { recordedAt: string }) => e.recordedAt);
  });

  it('answers the state in force on a date, from the events effective by then', async () => {
    const before = await api.as('auditor').get(`${statePath}?at=2023-08-19`).expect(200);
    expect(before.body).toEqual({
      authorityCode: '74',
      procedureCode,
      at: '2023-08-19',
      knownAt: expect.any(String),
      inForce: true,
      state: {
        name: 'Đăng ký thành lập hộ kinh doanh',
        field: null,
        level: null,
        onlineMode: 'PARTIAL',
        paperIntake: 'ACCEPTED',
        withdrawn: false,
        lastEffectiveFrom: '2023-06-01',
      },
      revision: 0,
      eventsConsidered: 1,
      position: lastEvent,
      // A single command's transition: the decision it cites, and no recorded decision behind it.
      transitions: [
        { revision: 0, type: 'ProcedureRegistered', effectiveFrom: '2023-06-01', recordedAt: expect.any(String), decisionRef: 'QĐ 1234/QĐ-UBND', decision: null },
      ],
    });
    const after = await api.as('auditor').get(`${statePath}?at=2023-08-20`).expect(200);
    expect(after.body).toMatchObject({ inForce: true, state: { onlineMode: 'FULL_PROCESS', lastEffectiveFrom: '2023-08-20' }, revision: 1, eventsConsidered: 2 });
  });

  it('is not in force before its registration, nor from its withdrawal', async () => {
    expect((await api.as('auditor').get(`${statePath}?at=2023-05-31`).expect(200)).body).toMatchObject({
      inForce: false,
      state: null,
      revision: null,
      eventsConsidered: 0,
    });
    expect((await api.as('auditor').get(`${statePath}?at=2024-01-01`).expect(200)).body).toMatchObject({
      inForce: false,
      state: { withdrawn: true, withdrawnFrom: '2024-01-01', onlineMode: 'FULL_PROCESS' },
      revision: 2,
    });
    // Today (the default `at`), it is withdrawn.
    expect((await api.as('auditor').get(statePath).expect(200)).body).toMatchObject({ inForce: false, eventsConsidered: 3 });
  });

  it('ignores what was recorded after knownAt', async () => {
    const knownAt = new Date(Date.parse(reclassifiedAt) - 1).toISOString();
    const { body } = await api.as('auditor').get(`${statePath}?at=2030-01-01&knownAt=${knownAt}`).expect(200);
    expect(body).toMatchObject({ knownAt, inForce: true, state: { onlineMode: 'PARTIAL' }, revision: 0, eventsConsidered: 1 });
    const exactly = await api.as('auditor').get(`${statePath}?at=2030-01-01&knownAt=${reclassifiedAt}`).expect(200);
    expect(exactly.body).toMatchObject({ state: { onlineMode: 'FULL_PROCESS' }, revision: 1 });
    const before = new Date(Date.parse(registeredAt) - 1).toISOString();
    expect((await api.as('auditor').get(`${statePath}?at=2030-01-01&knownAt=${before}`).expect(200)).body).toMatchObject({ inForce: false, state: null });
  });

  it('refuses a malformed date or instant with 400 naming the field, an unknown procedure with 404', async () => {
    const bad = await api.as('auditor').get(`${statePath}?at=2023-02-30&knownAt=2023-07-01`).expect(400);
    expect(bad.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['at', 'knownAt']);
    await api.as('auditor').get(`${procedurePath(freshProcedureCode())}/state`).expect(404);
    await api.as('auditor').get(`${statePath}?colour=red`).expect(400);
  });

  it('is for auditors and administrators', async () => {
    await api.as('viewer').get(statePath).expect(403);
    await api.anonymous().get(statePath).expect(401);
    await api.as('administrator').get(statePath).expect(200);
  });
});

describe('asOfPosition: regenerating an earlier answer exactly', () => {
  const A = '75'; // Đồng Nai: no other test of the file writes there
  let then: { summary: any; movement: any; national: any; list: any; csv: string };
  let position: number;

  beforeAll(async () => {
    const codes = [freshProcedureCode(), freshProcedureCode(), freshProcedureCode()];
    await api.http().post(proceduresPath(A)).send(registration({ procedureCode: codes[0], onlineMode: 'FULL_PROCESS', paperIntake: 'DISABLED' })).expect(201);
    await api.http().post(proceduresPath(A)).send(registration({ procedureCode: codes[1], onlineMode: 'INFORMATION_ONLY' })).expect(201);
    const reply = await api.http().post(`${procedurePath(codes[1], A)}/reclassify`).send({ ...decision(), onlineMode: 'PARTIAL' }).expect(200);
    const after = lastPosition(reply.body);
    const summary = await api.http().get(`/api/authorities/${A}/summary?at=2023-07-01&afterPosition=${after}`).expect(200);
    position = summary.body.position;
    then = {
      summary: summary.body,
      movement: (await api.http().get(`/api/authorities/${A}/movement?from=2023-06-01&to=2023-07-01&asOfPosition=${position}`).expect(200)).body,
      national: (await api.http().get(`/api/summary?at=2023-07-01&asOfPosition=${position}`).expect(200)).body,
      list: (await api.http().get(`${proceduresPath(A)}?at=2023-07-01&asOfPosition=${position}`).expect(200)).body,
      csv: (await api.http().get(`/api/summary?at=2023-07-01&asOfPosition=${position}`).set('Accept', 'text/csv').expect(200)).text,
    };

    // The log moves on, on the same dates.
    await api.http().post(proceduresPath(A)).send(registration({ procedureCode: codes[2], onlineMode: 'PARTIAL' })).expect(201);
    const downgrade = await api.http().post(`${procedurePath(codes[0], A)}/reclassify`).send({ ...decision(), onlineMode: 'INFORMATION_ONLY' }).expect(200);
    await api.http().get(`/api/authorities/${A}/summary?afterPosition=${lastPosition(downgrade.body)}`).expect(200);
  });

  it('answers a summary as it stood at the position an earlier answer stated', async () => {
    const now = (await api.http().get(`/api/authorities/${A}/summary?at=2023-07-01`).expect(200)).body;
    expect(now.total).toBe(then.summary.total + 1);
    expect(now.position).toBeGreaterThan(position);
    const again = (await api.http().get(`/api/authorities/${A}/summary?at=2023-07-01&asOfPosition=${position}`).expect(200)).body;
    expect(again).toEqual({ ...then.summary, knownAt: null, asOfPosition: position });
    expect(then.summary).toMatchObject({ total: 2, fullProcess: { count: 1 }, partial: { count: 1 }, paperIntakeDisabled: { count: 1 } });
  });

  it('answers the movement, the national table, its CSV and the procedure list the same way, every time', async () => {
    expect((await api.http().get(`/api/authorities/${A}/movement?from=2023-06-01&to=2023-07-01&asOfPosition=${position}`).expect(200)).body).toEqual(
      then.movement,
    );
    expect(then.movement).toMatchObject({ position, asOfPosition: position, delta: { informationOnly: -1, partial: 1 }, transitions: { upgradedToPartial: 1 } });
    expect((await api.http().get(`/api/summary?at=2023-07-01&asOfPosition=${position}`).expect(200)).body).toEqual(then.national);
    expect(then.national).toMatchObject({ position, asOfPosition: position, knownAt: null });
    const csv = await api.http().get(`/api/summary?at=2023-07-01&asOfPosition=${position}`).set('Accept', 'text/csv').expect(200);
    expect(csv.text).toBe(then.csv);
    expect(csv.text.split('\r\n')[0]).toMatch(/^authority_code,/);
    expect(csv.headers).toMatchObject({ 'log-position': String(position), 'as-of-position': String(position) });
    expect(csv.headers['known-at']).toBeUndefined();
    expect((await api.http().get(`${proceduresPath(A)}?at=2023-07-01&asOfPosition=${position}`).expect(200)).body).toEqual(then.list);
    expect(then.list.items.map((i: { onlineMode: string }) => i.onlineMode)).toEqual(['FULL_PROCESS', 'PARTIAL']);
  });

  it('refuses asOfPosition with knownAt, or one that is not a position, with 400', async () => {
    for (const query of [`asOfPosition=${position}&knownAt=2023-07-01T00:00:00Z`, 'asOfPosition=-1', 'asOfPosition=abc', 'asOfPosition=0x10']) {
      const res = await api.http().get(`/api/authorities/${A}/summary?${query}`).expect(400);
      expect(res.body.errors.length).toBeGreaterThan(0);
      expect(res.body.errors.every((e: { field: string }) => e.field === 'asOfPosition')).toBe(true);
    }
  });

  it('answers 503 with Retry-After for a position the read models have not reached', async () => {
    const res = await api.http().get(`/api/authorities/${A}/summary?asOfPosition=${Number.MAX_SAFE_INTEGER}`).expect(503);
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.body).toMatchObject({ type: expect.stringContaining('projection-behind') });
  }, 15_000);
});
