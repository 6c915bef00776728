import { CommandBus } from '@nestjs/cqrs';
import { NATIONAL_FACTS_FIGURES, commandBusSetup, nationalFactsSeedCommands } from '@tthc/application';
import { PROJECTION_RUNNER, type ProjectionRunner } from '@tthc/read-models';
import { PROBLEM_JSON, startApi, type ApiHarness } from '../support/api-app.js';

/*
 * Issue 18 over HTTP: the demo's national facts (through the command bus, as the seed loads them),
 * the query on the article's dates, one agency's facts, and the commands with their conventions:
 * roles, If-Match, Idempotency-Key, problem+json naming the field, nothing appended on a refusal.
 */
let api: ApiHarness;
let seeded = 0;

const ILLEGAL = 'https://tthc-ledger.dev/problems/illegal-authority-transition';
const assessPath = (code: string) => `/api/authorities/${code}/procedure-system/assessments`;
const connectPath = (code: string) => `/api/authorities/${code}/population-database/connect`;
const disconnectPath = (code: string) => `/api/authorities/${code}/population-database/disconnect`;
const SOURCE = 'Báo cáo kiểm thử';

beforeAll(async () => {
  api = await startApi();
  const results = await commandBusSetup(api.app.get(CommandBus)).authorities(nationalFactsSeedCommands(), { actor: 'seed', correlationId: 'national-facts-e2e' });
  seeded = Math.max(...results.flatMap((r) => r.events.map((e) => e.globalPosition)));
  expect(await api.app.get<ProjectionRunner>(PROJECTION_RUNNER).waitForPosition(seeded, 60_000)).toBe(true);
}, 120_000);

afterAll(async () => {
  await api?.close();
});

const get = async (path: string) => (await api.as('viewer').get(path).expect(200)).body;

/** Sends a command expected to be refused; checks the problem and that nothing was appended. */
async function refused(path: string, body: unknown, status: number, headers: Record<string, string> = {}) {
  const before = await api.eventCount();
  const res = await api.http().post(path).set(headers).send(body as object);
  expect([res.status, res.headers['content-type']]).toEqual([status, expect.stringMatching(PROBLEM_JSON)]);
  expect(await api.eventCount()).toBe(before);
  return res.body;
}

describe('GET /api/national-facts', () => {
  it('reproduces the article on 2023-10-16: 37/76 (48.68), 15 ministries and 63/63 localities connected', async () => {
    const f = await get(`/api/national-facts?at=2023-10-16&afterPosition=${seeded}`);
    expect(f.procedureHandlingSystems).toMatchObject({ count: 37, total: 76, share: 48.68, requirements: 'Thông tư 21/2023/TT-BTTTT' });
    expect(f.populationDatabase.byKind).toEqual({ ministries: { count: 15, total: 22, share: 68.18 }, localities: { count: 63, total: 63, share: 100 } });
    expect(f).toMatchObject({ at: '2023-10-16', position: expect.any(Number) });
    expect(f.position).toBeGreaterThanOrEqual(seeded);
  });

  it('answers the later dates: 18 ministries and 63 localities by 2024-08-31, 34/34 after the merger', async () => {
    const [y2024, merged] = await Promise.all([get('/api/national-facts?at=2024-08-31'), get('/api/national-facts?at=2025-07-01')]);
    expect(y2024.populationDatabase.byKind.ministries).toMatchObject(NATIONAL_FACTS_FIGURES['2024-08-31'].ministries);
    expect(y2024.populationDatabase.byKind.localities).toMatchObject(NATIONAL_FACTS_FIGURES['2024-08-31'].localities);
    expect(merged.populationDatabase.byKind.localities).toEqual({ count: 34, total: 34, share: 100 });
  });

  it('as of a position before the facts: none known; knownAt and asOfPosition together are refused', async () => {
    const before = await get(`/api/national-facts?at=2023-10-16&asOfPosition=${seeded - 300}`);
    expect(before).toMatchObject({ knownAt: null, asOfPosition: seeded - 300, position: seeded - 300 });
    expect(before.procedureHandlingSystems.total).toBeLessThan(76);
    const res = await api.as('viewer').get(`/api/national-facts?knownAt=2024-01-01T00:00:00Z&asOfPosition=1`).expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['asOfPosition']);
  });

  it('one agency on a date; 404 for an unknown code, 400 naming a malformed one', async () => {
    expect(await get('/api/national-facts/B05?at=2023-10-16')).toMatchObject({ authorityCode: 'B05', name: 'Bộ Tư pháp', kind: 'MINISTRY', inForce: true });
    expect(await get('/api/national-facts/74?at=2025-07-01')).toMatchObject({ authorityCode: '74', inForce: false, dissolvedOn: '2025-07-01', populationDatabase: { connected: false } });
    await api.as('viewer').get('/api/national-facts/B99').expect(404);
    for (const bad of ['7', 'B5', 'b05', 'B050', '%2E%2E']) {
      const res = await api.as('viewer').get(`/api/national-facts/${bad}`).expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['authorityCode']);
    }
    const res = await api.as('viewer').get('/api/national-facts?at=2023-02-30&knownAt=yesterday').expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['at', 'knownAt']);
  });
});

describe('the commands', () => {
  it('record an assessment, a connection and a disconnection with ETag; the query follows (read-your-writes)', async () => {
    const assessed = await api.http().post(assessPath('B05')).send({ assessedOn: '2024-06-01', meetsAllRequirements: true, source: SOURCE }).expect(200);
    expect(assessed.body).toMatchObject({ streamId: 'authority-B05', events: [{ type: 'ProcedureSystemAssessed' }] });
    expect(assessed.headers.etag).toBe(`"${assessed.body.revision}"`);
    const after = await get(`/api/national-facts/B05?at=2024-06-01&afterPosition=${assessed.body.events[0].globalPosition}`);
    expect(after.procedureHandlingSystem).toEqual({ assessedOn: '2024-06-01', meetsAllRequirements: true, requirements: 'Thông tư 21/2023/TT-BTTTT', source: SOURCE });

    const agency = await notConnected();
    await api.http().post(connectPath(agency)).send({ connectedOn: '2024-09-01', source: SOURCE }).expect(200);
    const cut = await api.http().post(disconnectPath(agency)).send({ disconnectedOn: '2024-10-01', source: SOURCE, reason: 'bảo trì' }).expect(200);
    const state = await get(`/api/national-facts/${agency}?at=2024-10-01&afterPosition=${cut.body.events[0].globalPosition}`);
    expect(state.populationDatabase).toEqual({ connected: false, connectedOn: null, disconnectedOn: '2024-10-01', source: SOURCE });
    expect((await get(`/api/national-facts/${agency}?at=2024-09-30`)).populationDatabase).toMatchObject({ connected: true, connectedOn: '2024-09-01' });
    // The same fact sent again appends nothing.
    const before = await api.eventCount();
    const again = await api.http().post(disconnectPath(agency)).send({ disconnectedOn: '2024-10-01', source: SOURCE, reason: 'bảo trì' }).expect(200);
    expect(again.body.events).toEqual([]);
    expect(await api.eventCount()).toBe(before);
  });

  it('If-Match: a stale revision gets 412, nothing appended; the current one succeeds', async () => {
    const current = Number(JSON.parse((await api.http().post(assessPath('B07')).send({ assessedOn: '2024-01-10', meetsAllRequirements: false, source: SOURCE }).expect(200)).headers.etag));
    await refused(assessPath('B07'), { assessedOn: '2024-02-10', meetsAllRequirements: true, source: SOURCE }, 412, { 'If-Match': `"${current - 1}"` });
    await api.http().post(assessPath('B07')).set('If-Match', `"${current}"`).send({ assessedOn: '2024-02-10', meetsAllRequirements: true, source: SOURCE }).expect(200);
  });

  it('Idempotency-Key: the same request gets the first reply and appends nothing; another body with the key gets 422', async () => {
    const body = { assessedOn: '2024-03-01', meetsAllRequirements: true, source: SOURCE };
    const first = await api.http().post(assessPath('B08')).set('Idempotency-Key', 'facts-b08-1').send(body).expect(200);
    const before = await api.eventCount();
    const second = await api.http().post(assessPath('B08')).set('Idempotency-Key', 'facts-b08-1').send(body).expect(200);
    expect(second.body).toEqual(first.body);
    expect(await api.eventCount()).toBe(before);
    await refused(assessPath('B08'), { ...body, meetsAllRequirements: false }, 422, { 'Idempotency-Key': 'facts-b08-1' });
  });

  it('the domain refuses (409, its reason) and nothing is appended', async () => {
    const reason = async (path: string, body: unknown) => {
      const problem = await refused(path, body, 409);
      expect(problem.type).toBe(ILLEGAL);
      return problem.reason;
    };
    expect(await reason(disconnectPath(await notConnected()), { disconnectedOn: '2024-05-01', source: SOURCE })).toBe('NOT_CONNECTED');
    expect(await reason(connectPath('01'), { connectedOn: '2024-05-01', source: SOURCE })).toBe('ALREADY_CONNECTED');
    expect(await reason(assessPath('B05'), { assessedOn: '2020-01-01', meetsAllRequirements: true, source: SOURCE })).toBe('BEFORE_ESTABLISHMENT');
    expect(await reason(assessPath('74'), { assessedOn: '2025-07-01', meetsAllRequirements: true, source: SOURCE })).toBe('ALREADY_DISSOLVED');
    expect(await reason(assessPath('02'), { assessedOn: '2023-10-16', meetsAllRequirements: true, source: 'another report' })).toBe('ALREADY_ASSESSED_ON_DATE');
    expect(await reason(assessPath('02'), { assessedOn: '2023-01-01', meetsAllRequirements: true, source: SOURCE })).toBe('EFFECTIVE_DATE_BEFORE_LAST_CHANGE');
    const unknown = await refused(assessPath('B77'), { assessedOn: '2024-01-01', meetsAllRequirements: true, source: SOURCE }, 404);
    expect(unknown.type).toBe('https://tthc-ledger.dev/problems/unknown-authority');
  });

  it('bad and hostile input: 400 naming every offending field, nothing appended', async () => {
    const fields = async (path: string, body: unknown) => (await refused(path, body, 400)).errors.map((e: { field: string }) => e.field).sort();
    expect(await fields(assessPath('B05'), {})).toEqual(['assessedOn', 'meetsAllRequirements', 'source']);
    expect(await fields(assessPath('B05'), { assessedOn: '2023-02-30', meetsAllRequirements: 'true', source: 'x'.repeat(501) })).toEqual(['assessedOn', 'meetsAllRequirements', 'source']);
    expect(await fields(assessPath('B05'), { assessedOn: '2024-01-01', meetsAllRequirements: true, source: 'ok', extra: 1 })).toEqual(['extra']);
    expect(await fields(connectPath('B05'), { connectedOn: ['2024-01-01'], source: 'a\u202egnp.exe' })).toEqual(['connectedOn', 'source']);
    expect(await fields(connectPath('B05'), { connectedOn: '2024-01-01', source: '\u200b' })).toEqual(['source']);
    expect(await fields(disconnectPath('B05'), { disconnectedOn: '2024-13-01', source: SOURCE, reason: { $ne: null } })).toEqual(['disconnectedOn', 'reason']);
    expect(await fields(disconnectPath('B05'), { disconnectedOn: '2024-01-01', source: SOURCE, __proto__: { polluted: true }, constructor: 'x' })).toContain('constructor');
    expect(await fields(assessPath('B5'), { assessedOn: '2024-01-01', meetsAllRequirements: true, source: SOURCE })).toEqual(['authorityCode']);
    expect(await fields(assessPath('74 OR 1=1'), { assessedOn: '2024-01-01', meetsAllRequirements: true, source: SOURCE })).toEqual(['authorityCode']);
    const array = await refused(assessPath('B05'), [{ assessedOn: '2024-01-01' }], 400);
    expect(array.errors.length).toBeGreaterThan(0);
  });

  it('a viewer may not record a fact (403), nor anyone without a token (401); nothing appended', async () => {
    const body = { assessedOn: '2024-04-01', meetsAllRequirements: true, source: SOURCE };
    const before = await api.eventCount();
    await api.as('viewer').post(assessPath('B05')).send(body).expect(403);
    await api.anonymous().post(assessPath('B05')).send(body).expect(401);
    expect(await api.eventCount()).toBe(before);
  });
});

it('POST /api/audit/verifications replays the national facts too: no mismatch', async () => {
  const res = await api.as('auditor').post('/api/audit/verifications').send({}).expect(200);
  expect(res.body.readModels).toMatchObject({ mismatchCount: 0, unitsChecked: 63 });
  expect(res.body.readModels.nationalFactsChecked).toBeGreaterThan(85 + 76 + 63);
});

/** A central agency not connected now, by the demo data (4 of the 22 are not). */
async function notConnected(): Promise<string> {
  for (let i = 1; i <= 22; i++) {
    const code = `B${String(i).padStart(2, '0')}`;
    const f = await get(`/api/national-facts/${code}`);
    if (!f.populationDatabase.connected && f.populationDatabase.disconnectedOn === null) return code;
  }
  throw new Error('every agency is connected');
}
