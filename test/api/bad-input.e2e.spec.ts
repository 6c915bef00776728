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

// Malformed input of every kind: each gets a 4xx problem+json naming the offending field, and the
// log holds exactly what it held before.

let api: ApiHarness;
/** A registered procedure (PARTIAL, paper accepted) that the commands below try to change. */
let procedureCode: string;

beforeAll(async () => {
  api = await startApi();
  procedureCode = freshProcedureCode();
  await api.http().post(proceduresPath()).send(registration({ procedureCode })).expect(201);
});

afterAll(async () => {
  await api?.close();
});

interface Attempt {
  path: string;
  body?: unknown;
  rawJson?: string;
}

/** Sends the request and checks: the status, a problem+json, and no new event anywhere. */
async function refused({ path, body, rawJson }: Attempt, status: number) {
  const before = await api.eventCount();
  let req = api.http().post(path);
  if (rawJson !== undefined) req = req.set('Content-Type', 'application/json').send(rawJson);
  else if (body !== undefined) req = req.send(body as object);
  const reply = await req;
  expect(reply.status).toBe(status);
  expect(reply.headers['content-type']).toMatch(PROBLEM_JSON);
  expect(reply.body).toMatchObject({ type: expect.stringMatching(/^https:\/\/tthc-ledger\.dev\/problems\//), status, title: expect.any(String), detail: expect.any(String) });
  expect(await api.eventCount()).toBe(before);
  return reply.body as { errors?: { field: string; message: string }[]; type: string };
}

const fieldsOf = (problem: { errors?: { field: string }[] }) => (problem.errors ?? []).map((e) => e.field).sort();

const registerAt = (body: unknown) => ({ path: proceduresPath(), body });
const reclassify = (body: unknown) => ({ path: `${procedurePath(procedureCode)}/reclassify`, body });
const disablePaper = (body: unknown) => ({ path: `${procedurePath(procedureCode)}/disable-paper-intake`, body });

describe('missing fields', () => {
  it('names every missing required field of a registration', async () => {
    const problem = await refused(registerAt({}), 400);
    expect(fieldsOf(problem)).toEqual(['effectiveFrom', 'name', 'onlineMode', 'procedureCode']);
    expect(new Set(problem.errors?.map((e) => e.message))).toEqual(new Set(['is required']));
    expect(problem.type).toBe('https://tthc-ledger.dev/problems/invalid-request');
  });

  it('names every missing field of a reclassification', async () => {
    expect(fieldsOf(await refused(reclassify({}), 400))).toEqual(['decisionRef', 'effectiveFrom', 'onlineMode']);
  });

  it.each(['disable-paper-intake', 'reenable-paper-intake', 'withdraw'])('names the missing decisionRef of %s', async (command) => {
    const problem = await refused({ path: `${procedurePath(procedureCode)}/${command}`, body: { effectiveFrom: '2023-07-01' } }, 400);
    expect(problem.errors).toEqual([{ field: 'decisionRef', message: 'is required' }]);
  });

  it('answers a body that is not JSON with 415 (test/api/strict-input.e2e.spec.ts has the other media types)', async () => {
    const before = await api.eventCount();
    const reply = await api.http().post(`${procedurePath(procedureCode)}/withdraw`).set('Content-Type', 'text/plain').send('withdraw it');
    expect(reply.status).toBe(415);
    expect(reply.body.errors).toEqual([{ field: 'Content-Type', message: 'must be application/json' }]);
    expect(await api.eventCount()).toBe(before);
  });

  it('refuses null for an optional field', async () => {
    expect(fieldsOf(await refused(registerAt(registration({ procedureCode: freshProcedureCode(), field: null })), 400))).toEqual(['field']);
  });
});

describe('enums', () => {
  it.each(['ONLINE', 'full_process', '', 3, null])('refuses the online mode %j', async (onlineMode) => {
    const problem = await refused(reclassify(decision({ onlineMode })), 400);
    expect(problem.errors).toEqual([{ field: 'onlineMode', message: 'must be one of FULL_PROCESS, PARTIAL, INFORMATION_ONLY' }]);
  });

  it.each(['NONE', 'accepted', true])('refuses the paper intake %j', async (paperIntake) => {
    const problem = await refused(registerAt(registration({ procedureCode: freshProcedureCode(), paperIntake })), 400);
    expect(fieldsOf(problem)).toEqual(['paperIntake']);
  });
});

describe('dates', () => {
  it.each(['2023-02-30', '2023-13-01', '99999-01-01', '', '2023-6-1', '2023-06-01T00:00:00Z', '1899-12-31', 20230601, null, ['2023-06-01']])(
    'refuses the effective date %j',
    async (effectiveFrom) => {
      const problem = await refused(disablePaper(decision({ effectiveFrom })), 400);
      expect(problem.errors).toEqual([{ field: 'effectiveFrom', message: 'must be a real calendar date YYYY-MM-DD' }]);
    },
  );

  it('refuses an impossible date on registration too', async () => {
    const problem = await refused(registerAt(registration({ procedureCode: freshProcedureCode(), effectiveFrom: '2023-02-29' })), 400);
    expect(fieldsOf(problem)).toEqual(['effectiveFrom']);
  });
});

describe('path parameters', () => {
  it("answers an authority code no province has ('99') with 404", async () => {
    const problem = await refused({ path: proceduresPath('99'), body: registration({ procedureCode: freshProcedureCode() }) }, 404);
    expect(problem.type).toBe('https://tthc-ledger.dev/problems/unknown-authority');
  });

  it.each(['7a', '074', '7', '..%2F74', '%20%2074'])('answers the malformed authority code %j with 400 naming it', async (authorityCode) => {
    const problem = await refused({ path: proceduresPath(authorityCode), body: registration({ procedureCode: freshProcedureCode() }) }, 400);
    expect(problem.errors).toEqual([{ field: 'authorityCode', message: 'must be a 2-digit provincial code such as 74' }]);
  });

  it('answers an authority path with dot segments (../74) with a 404 problem: no route', async () => {
    const problem = await refused({ path: '/api/authorities/../74/procedures', body: registration({ procedureCode: freshProcedureCode() }) }, 404);
    expect(problem.errors).toBeUndefined();
  });

  it.each(['..%2F..%2Fetc', '1.00161', '1.001612.', 'abc', '1.001612%00', '1%2E001612%3B'])(
    'answers the malformed procedure code %j in the path with 400 naming it',
    async (code) => {
      const problem = await refused({ path: `${proceduresPath()}/${code}/reclassify`, body: decision({ onlineMode: 'FULL_PROCESS' }) }, 400);
      expect(problem.errors).toEqual([{ field: 'procedureCode', message: 'must be a national procedure code such as 1.001612' }]);
    },
  );

  it('names a malformed path parameter on the queries too', async () => {
    const state = await api.http().get(`${proceduresPath('7a')}/${procedureCode}`).expect(400);
    expect(state.body.errors).toEqual([{ field: 'authorityCode', message: expect.any(String) }]);
    const events = await api.http().get(`${proceduresPath()}/..%2F..%2Fetc/events`).expect(400);
    expect(events.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(events.body.errors).toEqual([{ field: 'procedureCode', message: expect.any(String) }]);
  });

  it('answers a path with a malformed percent-encoding with a 400 problem', async () => {
    await refused({ path: `${proceduresPath()}/%E0%A4%A/reclassify`, body: decision({ onlineMode: 'FULL_PROCESS' }) }, 400);
  });

  it('refuses a malformed procedure code in the registration body', async () => {
    const problem = await refused(registerAt(registration({ procedureCode: '../1.001612' })), 400);
    expect(fieldsOf(problem)).toEqual(['procedureCode']);
  });
});

describe('unknown fields', () => {
  it('names each field the contract does not have', async () => {
    const problem = await refused(reclassify(decision({ onlineMode: 'FULL_PROCESS', revision: 3, authorityCode: '01' })), 400);
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        { field: 'revision', message: 'property revision should not exist' },
        { field: 'authorityCode', message: 'property authorityCode should not exist' },
      ]),
    );
    expect(problem.errors).toHaveLength(2);
  });

  it('names unknown and malformed fields together', async () => {
    const problem = await refused(disablePaper({ effectiveFrom: '2023-02-30', decisionRef: 7, paperIntake: 'DISABLED' }), 400);
    expect(fieldsOf(problem)).toEqual(['decisionRef', 'effectiveFrom', 'paperIntake']);
  });
});

describe('types', () => {
  it('refuses a number for name and an array for decisionRef, naming both', async () => {
    const problem = await refused(registerAt(registration({ procedureCode: freshProcedureCode(), name: 42, decisionRef: ['QĐ 1'] })), 400);
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        { field: 'name', message: 'must be a string' },
        { field: 'decisionRef', message: 'must be a string' },
      ]),
    );
  });

  it.each([[{ reason: { text: 'x' } }], [{ reason: 1 }], [{ decisionRef: true }], [{ decisionRef: { $ne: null } }]])(
    'refuses the wrongly typed %j',
    async (patch) => {
      const problem = await refused(disablePaper(decision(patch)), 400);
      expect(fieldsOf(problem)).toEqual(Object.keys(patch));
    },
  );

  it.each([['[]'], ['[{"effectiveFrom":"2023-07-01","decisionRef":"QĐ 1"}]']])('refuses the JSON array %s as a body', async (rawJson) => {
    await refused({ path: `${procedurePath(procedureCode)}/withdraw`, rawJson }, 400);
  });
});

describe('text', () => {
  it.each([
    ['a zero-width space', 'Đăng ký\u200bhộ kinh doanh'],
    ['a right-to-left override', 'Đăng ký \u202ehộ kinh doanh'],
    ['a byte order mark', '\ufeffĐăng ký'],
    ['a control character', 'Đăng ký\u0007'],
    ['a newline', 'Đăng ký\nhộ kinh doanh'],
  ])('refuses a name with %s', async (_, name) => {
    const problem = await refused(registerAt(registration({ procedureCode: freshProcedureCode(), name })), 400);
    expect(problem.errors).toEqual([{ field: 'name', message: 'must not contain control, bidirectional or zero-width characters' }]);
  });

  it.each(['', '   '])('refuses the blank name %j', async (name) => {
    const problem = await refused(registerAt(registration({ procedureCode: freshProcedureCode(), name })), 400);
    expect(problem.errors).toEqual([{ field: 'name', message: 'must not be blank' }]);
  });

  it.each([
    ['name', 1000],
    ['field', 200],
    ['level', 100],
    ['decisionRef', 200],
  ])('refuses a %s longer than %i characters', async (field, limit) => {
    const problem = await refused(registerAt(registration({ procedureCode: freshProcedureCode(), [field]: 'a'.repeat(limit + 1) })), 400);
    expect(problem.errors).toEqual([{ field, message: `must be at most ${limit} characters` }]);
  });

  it('accepts a name of exactly 1000 characters', async () => {
    await api.http().post(proceduresPath()).send(registration({ procedureCode: freshProcedureCode(), name: 'ă'.repeat(1000) })).expect(201);
  });

  it('refuses a reason longer than 2000 characters', async () => {
    const problem = await refused(disablePaper(decision({ reason: 'r'.repeat(2001) })), 400);
    expect(problem.errors).toEqual([{ field: 'reason', message: 'must be at most 2000 characters' }]);
  });
});

describe('the body itself', () => {
  it('answers a body over 64 KiB with 413', async () => {
    const problem = await refused(disablePaper(decision({ reason: 'x'.repeat(70 * 1024) })), 413);
    expect(problem.type).toBe('https://tthc-ledger.dev/problems/payload-too-large');
  });

  it.each([['{"effectiveFrom": "2023-07-01",'], ['{bad json}'], ["{'effectiveFrom': '2023-07-01'}"], ['"a string"'], ['null']])(
    'answers the invalid JSON %s with 400',
    async (rawJson) => {
      const problem = await refused({ path: `${procedurePath(procedureCode)}/withdraw`, rawJson }, 400);
      expect(problem.type).toBe('https://tthc-ledger.dev/problems/malformed-json');
      expect(problem.errors).toEqual([{ field: 'body', message: 'must be valid JSON' }]);
    },
  );

  it('names __proto__ and constructor keys as unknown fields, beside the missing ones', async () => {
    const problem = await refused(
      { path: `${procedurePath(procedureCode)}/withdraw`, rawJson: '{"__proto__":{"effectiveFrom":"2023-07-01"},"constructor":{"x":1}}' },
      400,
    );
    expect(fieldsOf(problem)).toEqual(['__proto__', 'constructor', 'decisionRef', 'effectiveFrom']);
  });
});

it('leaves the procedure as it was registered', async () => {
  const { body } = await api.http().get(`${procedurePath(procedureCode)}/events`).expect(200);
  expect(body.events.map((e: { type: string }) => e.type)).toEqual(['ProcedureRegistered']);
});
