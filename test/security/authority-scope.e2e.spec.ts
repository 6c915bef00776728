import type { JWTPayload } from 'jose';
import { COMMAND_METADATA } from '../../apps/api/src/auth/roles.decorator.js';
import type { RefusalLogLine } from '../../apps/api/src/logging/command-refusals.js';
import {
  PROBLEM_JSON,
  TEST_JWT_SECRET,
  decision,
  freshProcedureCode,
  procedurePath,
  proceduresPath,
  registration,
  startApi,
  type ApiHarness,
} from '../support/api-app.js';
import { declaredRoutes } from '../support/routes.js';
import { claims, sign, startIdentityProvider, type IdentityProvider } from '../support/tokens.js';

// Issue 14: administrators act for their own province. Every command on an authority outside the
// token's scope is refused with 403 naming it, before validation, idempotency or the database, and
// appends nothing; `*` acts everywhere; the scope follows the 2025 merger's lineage; every refused
// command is one structured audit line. Tokens are real: HS256 with the api's secret, and ES256 from
// a local identity provider's JWKS.

const OUTSIDE = 'https://tthc-ledger.dev/problems/outside-authority-scope';
/** Hồ Chí Minh City: the successor of 74 (Bình Dương) and 77 (Bà Rịa–Vũng Tàu) from 2025-07-01. */
const HCMC = '79';
/** Hà Nội: merged with nobody, so its own scope never depends on a date. */
const HA_NOI = '01';

/** One command endpoint: its route as Nest declares it, the request, and a body valid in sequence. */
interface CommandCase {
  route: string;
  path: (authority: string, procedure: string) => string;
  body: (procedure: string, effectiveFrom: string) => object;
  status: number;
}

/** Every command endpoint, in an order in which each succeeds on the state the previous one left. */
/** Command endpoints of no one authority (issue 12: reorganisations of units), national scope only. */
const NATIONAL_COMMANDS = ['POST /authorities/reorganisations'];

const COMMANDS: CommandCase[] = [
  {
    route: 'POST /authorities/:authorityCode/procedures',
    path: (a) => proceduresPath(a),
    body: (p, d) => registration({ procedureCode: p, onlineMode: 'PARTIAL', effectiveFrom: d }),
    status: 201,
  },
  {
    route: 'POST /authorities/:authorityCode/procedures/:procedureCode/reclassify',
    path: (a, p) => `${procedurePath(p, a)}/reclassify`,
    body: (_, d) => decision({ onlineMode: 'FULL_PROCESS', effectiveFrom: d }),
    status: 200,
  },
  {
    route: 'POST /authorities/:authorityCode/procedures/:procedureCode/disable-paper-intake',
    path: (a, p) => `${procedurePath(p, a)}/disable-paper-intake`,
    body: (_, d) => decision({ effectiveFrom: d }),
    status: 200,
  },
  {
    route: 'POST /authorities/:authorityCode/procedures/:procedureCode/reenable-paper-intake',
    path: (a, p) => `${procedurePath(p, a)}/reenable-paper-intake`,
    body: (_, d) => decision({ effectiveFrom: d }),
    status: 200,
  },
  {
    // Issue 15: the re-enabling (revision 3) was dated wrong; then rescinded altogether.
    route: 'POST /authorities/:authorityCode/procedures/:procedureCode/corrections',
    path: (a, p) => `${procedurePath(p, a)}/corrections`,
    body: (_, d) => ({ revision: 3, effectiveFrom: d, reason: 'Nhập nhầm ngày hiệu lực' }),
    status: 200,
  },
  {
    route: 'POST /authorities/:authorityCode/procedures/:procedureCode/rescissions',
    path: (a, p) => `${procedurePath(p, a)}/rescissions`,
    body: () => ({ revisions: [3], decisionRef: 'QĐ 99/QĐ-UBND' }),
    status: 200,
  },
  {
    route: 'POST /authorities/:authorityCode/procedures/:procedureCode/withdraw',
    path: (a, p) => `${procedurePath(p, a)}/withdraw`,
    body: (_, d) => decision({ effectiveFrom: d }),
    status: 200,
  },
  {
    // A decision registering a sibling of the (now withdrawn) procedure: 2.xxxxxx beside 1.xxxxxx.
    route: 'POST /authorities/:authorityCode/decisions',
    path: (a) => `/api/authorities/${a}/decisions`,
    body: (p, d) => ({
      number: `${p.slice(2)}/QĐ-UBND`,
      issuedOn: d,
      effectiveFrom: d,
      items: [{ procedureCode: `2${p.slice(1)}`, action: 'register', name: 'Thủ tục tổng hợp', onlineMode: 'PARTIAL' }],
    }),
    status: 201,
  },
  {
    // Issue 15: the decision just issued, rescinded by a later one.
    route: 'POST /authorities/:authorityCode/decisions/:number/rescission',
    path: (a, p) => `/api/authorities/${a}/decisions/${encodeURIComponent(`${p.slice(2)}/QĐ-UBND`)}/rescission`,
    body: () => ({ decisionRef: 'QĐ 99/QĐ-UBND' }),
    status: 200,
  },
  // National facts (issue 18): dated by a counter of their own, so that every run of the sequence is a
  // new assessment and a connection after the last disconnection.
  {
    route: 'POST /authorities/:authorityCode/procedure-system/assessments',
    path: (a) => `/api/authorities/${a}/procedure-system/assessments`,
    body: () => ({ assessedOn: factDate(), meetsAllRequirements: true, source: 'Báo cáo (thử nghiệm)' }),
    status: 200,
  },
  {
    route: 'POST /authorities/:authorityCode/population-database/connect',
    path: (a) => `/api/authorities/${a}/population-database/connect`,
    body: () => ({ connectedOn: factDate(), source: 'Báo cáo (thử nghiệm)' }),
    status: 200,
  },
  {
    route: 'POST /authorities/:authorityCode/population-database/disconnect',
    path: (a) => `/api/authorities/${a}/population-database/disconnect`,
    body: () => ({ disconnectedOn: factDate(), source: 'Báo cáo (thử nghiệm)' }),
    status: 200,
  },
];
/** Successive dates from 2024-01-01, one a call: a national fact's date in the sequence (before the 2025 merger). */
let factDays = 0;
const factDate = () => new Date(Date.UTC(2024, 0, 1) + factDays++ * 86_400_000).toISOString().slice(0, 10);
/** Effective dates of the sequence, one a month from 2023-06-01. */
const DATES = ['2023-06-01', '2023-07-01', '2023-08-01', '2023-09-01', '2023-10-01', '2023-11-01', '2023-12-01', '2024-01-01', '2024-02-01', '2024-03-01', '2024-04-01', '2024-05-01'];

type Signer = (payload: JWTPayload) => Promise<string>;

let idp: IdentityProvider;
let api: ApiHarness;
const logLines: string[] = [];
/** How tokens are made: HS256 with the api's secret, ES256 by the identity provider (its JWKS). */
const SIGNERS: [string, Signer][] = [
  ['HS256', (payload) => sign(payload)],
  ['ES256 (JWKS)', (payload) => idp.sign(payload, 'ES256')],
];
const scoped = (signer: Signer, authorities: unknown, extra: JWTPayload = {}) =>
  signer(claims({ sub: `admin-${JSON.stringify(authorities)}`, authorities: authorities as string[], ...extra }));
const national = (signer: Signer = SIGNERS[0][1]) => scoped(signer, ['*']);
/** A token issued at `iso` (its `iat`), valid for an hour from now. */
const issuedAt = (iso: string) => ({ iat: Math.floor(Date.parse(iso) / 1000) });

beforeAll(async () => {
  idp = await startIdentityProvider();
  api = await startApi({
    auth: { secret: TEST_JWT_SECRET, jwksUrl: idp.jwksUrl },
    logLevel: 'warn',
    logDestination: { write: (line: string) => void logLines.push(line) },
  });
}, 60_000);

afterAll(async () => {
  await api?.close();
  await idp?.close();
});

/** Registers a fresh procedure of `authority` with a national token, effective 2023-06-01; returns its code. */
async function registered(authority: string, effectiveFrom = '2023-06-01'): Promise<string> {
  const code = freshProcedureCode();
  await api.withToken(await national()).post(proceduresPath(authority)).send(registration({ procedureCode: code, effectiveFrom })).expect(201);
  return code;
}

/** Sends `command` with `token`; expects 403 outside-authority-scope naming `authority`, and nothing appended. */
async function refused(token: string, command: CommandCase, authority: string, procedure: string, effectiveFrom = DATES[1]) {
  const before = await api.eventCount();
  const res = await api.withToken(token).post(command.path(authority, procedure)).send(command.body(procedure, effectiveFrom));
  expect(res.status).toBe(403);
  expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
  expect(res.headers['www-authenticate']).toBe('Bearer realm="tthc-ledger", error="insufficient_scope"');
  expect(res.body).toMatchObject({ type: OUTSIDE, title: 'Outside your authority scope', status: 403, authorityCode: authority });
  expect(res.body.detail).toMatch(new RegExp(`^The token may not act for authority ${authority}: `));
  expect(await api.eventCount()).toBe(before);
  return res.body as { detail: string };
}

describe('every command endpoint', () => {
  it('is in this file’s table: a new one must be added here, and so be tested', () => {
    const declared = declaredRoutes(api.app)
      .filter(({ handler }) => Reflect.getMetadata(COMMAND_METADATA, handler) === true)
      .map(({ route }) => route);
    expect(declared.sort()).toEqual([...COMMANDS.map((c) => c.route), ...NATIONAL_COMMANDS].sort());
  });

  it('a national command (a reorganisation of units) needs national scope: 403 for a province, nothing appended', async () => {
    const before = await api.eventCount();
    const res = await api
      .withToken(await scoped(SIGNERS[0][1], [HCMC]))
      .post('/api/authorities/reorganisations')
      .send({ successorCode: HCMC, predecessorCodes: ['74'], effectiveFrom: '2030-01-01', legalBasis: 'x' })
      .expect(403);
    expect(res.body).toMatchObject({ type: OUTSIDE, authorityCode: null });
    expect(await api.eventCount()).toBe(before);
  });
});

describe.each(SIGNERS)('with %s tokens', (_, signer) => {
  describe('a token scoped to one authority (01) on another’s commands (79)', () => {
    let procedure: string;
    beforeAll(async () => {
      procedure = await registered(HCMC);
    });

    it.each(COMMANDS.map((c) => [c.route, c] as const))('%s: 403 naming 79, nothing appended', async (__, command) => {
      const { detail } = await refused(await scoped(signer, [HA_NOI]), command, HCMC, procedure);
      expect(detail).toBe("The token may not act for authority 79: authority 79 is outside the token's scope (01)");
    });

    it.each(COMMANDS.map((c) => [c.route, c] as const))('%s: refused before validation and idempotency, whatever the body', async (__, command) => {
      const key = `outside-${freshProcedureCode()}`;
      const res = await api.withToken(await scoped(signer, [HA_NOI])).post(command.path(HCMC, procedure)).set('Idempotency-Key', key).send({ junk: true });
      expect(res.status).toBe(403);
      expect(await api.sql('SELECT key FROM api.idempotency_keys WHERE key = $1', [key])).toEqual([]);
    });
  });

  it('runs every command endpoint, in turn, for its own authority (79)', async () => {
    const procedure = freshProcedureCode();
    const token = await scoped(signer, [HCMC]);
    for (const [i, command] of COMMANDS.entries()) {
      const res = await api.withToken(token).post(command.path(HCMC, procedure)).send(command.body(procedure, DATES[i]));
      expect([command.route, res.status]).toEqual([command.route, command.status]);
    }
  }, 30_000);

  it('national scope (*) runs every command endpoint on several authorities', async () => {
    const token = await national(signer);
    for (const authority of [HA_NOI, '74', HCMC, '96']) {
      const procedure = freshProcedureCode();
      for (const [i, command] of COMMANDS.entries()) {
        const res = await api.withToken(token).post(command.path(authority, procedure)).send(command.body(procedure, DATES[i]));
        expect([authority, command.route, res.status]).toEqual([authority, command.route, command.status]);
      }
    }
  }, 30_000);
});

describe('a crafted or missing authorities claim widens nothing', () => {
  it.each([
    ['no claim at all', undefined],
    ['an empty list', []],
    ['a wildcard with a digit', ['*7']],
    ['a digit with a wildcard', ['7*']],
    ['a regular expression', ['.*']],
    ['a SQL wildcard', ['%']],
    ['ALL', 'ALL'],
    ['a padded code', [' 79']],
    ['a three-digit code', ['079']],
    ['a number', [79]],
    ['a nested list', [['*']]],
    ['an object', { '*': true }],
    ['true', true],
    ['an operator object', [{ $ne: null }]],
  ])('%s: 403 on 79', async (__, authorities) => {
    const procedure = await registered(HCMC);
    const token = await sign(claims({ sub: 'crafted', authorities: authorities as string[] }));
    const { detail } = await refused(token, COMMANDS[1], HCMC, procedure);
    expect(detail).toContain("outside the token's scope (none)");
  });

  it('a tampered payload claiming * does not verify (401), and the attempt is logged', async () => {
    const token = await scoped(SIGNERS[0][1], [HA_NOI]);
    const [header, , signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify(claims({ authorities: ['*'] }))).toString('base64url')}.${signature}`;
    const procedure = await registered(HCMC);
    const before = await api.eventCount();
    await api.withToken(forged).post(COMMANDS[1].path(HCMC, procedure)).send(COMMANDS[1].body(procedure, DATES[1])).expect(401);
    expect(await api.eventCount()).toBe(before);
  });

  it('a viewer or auditor with national scope still issues no command (403 for the role)', async () => {
    const procedure = await registered(HCMC);
    for (const role of ['viewer', 'auditor']) {
      const res = await api.withToken(await sign(claims({ roles: [role], authorities: ['*'] }))).post(COMMANDS[1].path(HCMC, procedure)).send(COMMANDS[1].body(procedure, DATES[1]));
      expect(res.status).toBe(403);
      expect(res.body.type).toBe('https://tthc-ledger.dev/problems/forbidden');
    }
  });

  it('takes the claim as a string of codes separated by spaces or commas', async () => {
    const procedure = await registered(HCMC);
    await api.withToken(await sign(claims({ authorities: '01 79' }))).post(COMMANDS[1].path(HCMC, procedure)).send(COMMANDS[1].body(procedure, DATES[1])).expect(200);
  });

  it('queries stay open to every scope by default', async () => {
    const token = await scoped(SIGNERS[0][1], [HA_NOI]);
    await api.withToken(token).get(`/api/authorities/${HCMC}/summary?at=2023-06-01`).expect(200);
    await api.withToken(token).get('/api/summary').expect(200);
  });
});

describe('the scope follows lineage across the 2025 merger (74 and 77 dissolved into 79 on 2025-07-01)', () => {
  const register = COMMANDS[0];
  const registerIn = (token: string, authority: string, effectiveFrom: string) => {
    const procedure = freshProcedureCode();
    return api.withToken(token).post(register.path(authority, procedure)).send(register.body(procedure, effectiveFrom));
  };

  describe.each(SIGNERS)('with %s tokens', (_, signer) => {
    it('79, issued after the merger, records late decisions of 74 and 77 effective before it (2025-06-30)', async () => {
      const token = await scoped(signer, [HCMC]);
      for (const dissolved of ['74', '77']) {
        const res = await registerIn(token, dissolved, '2025-06-30');
        expect([dissolved, res.status]).toEqual([dissolved, 201]);
        const events = await api.withToken(token).get(`${procedurePath(res.body.streamId.split(':')[1], dissolved)}/events`).expect(200);
        expect(events.body.events[0].actor).toBe(`admin-["${HCMC}"]`);
      }
    });

    it('79 is not refused on 74 from 2025-07-01 by the scope: what a dissolved unit may still do is the domain’s to say', async () => {
      const res = await registerIn(await scoped(signer, [HCMC]), '74', '2025-07-01');
      expect(res.body.type).not.toBe(OUTSIDE);
    });

    it('79, issued the day before the merger (2025-06-30, Vietnam time), may not act for 74 yet; issued on 2025-07-01 it may', async () => {
      const before = await scoped(signer, [HCMC], issuedAt('2025-06-30T16:59:59Z'));
      const procedure = freshProcedureCode();
      const { detail } = await refused(before, register, '74', procedure, '2025-06-01');
      expect(detail).toBe('The token may not act for authority 74: 74 passes to 79 only on 2025-07-01, after the token was issued (2025-06-30)');
      const after = await scoped(signer, [HCMC], issuedAt('2025-06-30T17:00:00Z'));
      expect((await registerIn(after, '74', '2025-06-01')).status).toBe(201);
    });

    it('74, issued before its dissolution, acts for 74 effective up to 2025-06-30, not from 2025-07-01, and never for 79 or 77', async () => {
      const token = await scoped(signer, ['74'], issuedAt('2025-06-30T09:00:00Z'));
      expect((await registerIn(token, '74', '2025-06-30')).status).toBe(201);
      const { detail } = await refused(token, register, '74', freshProcedureCode(), '2025-07-01');
      expect(detail).toBe('The token may not act for authority 74: 74 acts for itself only before its dissolution on 2025-07-01, not on 2025-07-01');
      await refused(token, register, HCMC, freshProcedureCode(), '2025-06-30');
      await refused(token, register, '77', freshProcedureCode(), '2025-06-30');
    });

    it('74, issued after its dissolution, acts for nothing, even effective before it', async () => {
      const { detail } = await refused(await scoped(signer, ['74']), register, '74', freshProcedureCode(), '2023-06-01');
      expect(detail).toMatch(/^The token may not act for authority 74: 74 was dissolved into 79 on 2025-07-01, before the token was issued \(\d{4}-\d{2}-\d{2}\)$/);
    });
  });

  it('reads the effective date of a CSV annex from the query string: 74 issues a decision effective 2025-06-30, not 2025-07-01', async () => {
    const token = await scoped(SIGNERS[0][1], ['74'], issuedAt('2025-06-30T09:00:00Z'));
    const annex = (code: string) => Buffer.from(`procedureCode,action,name,onlineMode\n${code},register,Thủ tục tổng hợp,PARTIAL\n`, 'utf8');
    const post = (number: string, date: string) =>
      api
        .withToken(token)
        .post(`/api/authorities/74/decisions?number=${encodeURIComponent(number)}&issuedOn=${date}&effectiveFrom=${date}`)
        .set('Content-Type', 'text/csv')
        .send(annex(freshProcedureCode()));
    expect((await post('9001/QĐ-UBND', '2025-06-30')).status).toBe(201);
    const before = await api.eventCount();
    const res = await post('9002/QĐ-UBND', '2025-07-01');
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ type: OUTSIDE, authorityCode: '74' });
    expect(res.body.detail).toMatch(/only before its dissolution on 2025-07-01, not on 2025-07-01$/);
    expect(await api.eventCount()).toBe(before);
  });

  it('a dated scope needs the effective date: without a real one the command is refused, not guessed', async () => {
    const token = await scoped(SIGNERS[0][1], ['74'], issuedAt('2025-06-30T09:00:00Z'));
    for (const effectiveFrom of [undefined, '2025-02-30', 'yesterday']) {
      const procedure = freshProcedureCode();
      const before = await api.eventCount();
      const res = await api.withToken(token).post(proceduresPath('74')).send(registration({ procedureCode: procedure, effectiveFrom }));
      expect(res.status).toBe(403);
      expect(res.body.detail).toMatch(/and the request has no effectiveFrom date to tell$/);
      expect(await api.eventCount()).toBe(before);
    }
  });
});

describe('every refused command is one structured audit line', () => {
  type AuditLine = RefusalLogLine & { level: string };
  const auditLines = (correlationId: string): AuditLine[] =>
    logLines
      .map((line) => JSON.parse(line) as AuditLine)
      .filter((line) => line.event === 'command.refused' && line.correlationId === correlationId);

  /** tthc_commands_refused_total by `status/reason`, as GET /metrics serves it. */
  const refusedTotals = async (): Promise<Record<string, number>> => {
    const { text } = await api.anonymous().get('/metrics').expect(200);
    const totals: Record<string, number> = {};
    for (const [, labels, value] of text.matchAll(/^tthc_commands_refused_total\{([^}]*)\} (\d+)$/gm)) {
      const { status, reason } = Object.fromEntries([...labels.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      totals[`${status}/${reason}`] = Number(value);
    }
    return totals;
  };

  it('401, 403 (role), 403 (scope), 409, 412 and 422: who, what and why, counted by reason, and nothing appended', async () => {
    const procedure = await registered(HCMC);
    const countedBefore = await refusedTotals();
    const reclassify = (effectiveFrom: string) => decision({ onlineMode: 'FULL_PROCESS', effectiveFrom });
    const path = `${procedurePath(procedure, HCMC)}/reclassify`;
    const admin = await scoped(SIGNERS[0][1], [HCMC]);
    await api.withToken(admin).post(path).set('Idempotency-Key', 'audit-422').send(reclassify('2023-07-01')).expect(200);
    const cases: [string, number, string, () => Promise<unknown>][] = [
      ['audit-401', 401, 'unauthorized', () => api.anonymous().post(path).set('X-Correlation-Id', 'audit-401').send(reclassify('2023-08-01'))],
      ['audit-403-role', 403, 'forbidden', async () => api.withToken(await sign(claims({ sub: 'a-viewer', roles: ['viewer'], authorities: ['*'] }))).post(path).set('X-Correlation-Id', 'audit-403-role').send(reclassify('2023-08-01'))],
      ['audit-403-scope', 403, 'outside-authority-scope', async () => api.withToken(await scoped(SIGNERS[1][1], [HA_NOI])).post(path).set('X-Correlation-Id', 'audit-403-scope').send(reclassify('2023-08-01'))],
      ['audit-409', 409, 'illegal-transition', () => api.withToken(admin).post(path).set('X-Correlation-Id', 'audit-409').send(reclassify('2023-08-01'))],
      ['audit-412', 412, 'revision-mismatch', () => api.withToken(admin).post(path).set('X-Correlation-Id', 'audit-412').set('If-Match', '"0"').send(decision({ onlineMode: 'INFORMATION_ONLY', effectiveFrom: '2023-08-01' }))],
      ['audit-422', 422, 'idempotency-key-reused', () => api.withToken(admin).post(path).set('X-Correlation-Id', 'audit-422').set('Idempotency-Key', 'audit-422').send(reclassify('2023-09-09'))],
    ];
    for (const [correlationId, status, reason, send] of cases) {
      const before = await api.eventCount();
      const res = (await send()) as { status: number };
      expect([correlationId, res.status]).toEqual([correlationId, status]);
      expect(await api.eventCount()).toBe(before);
      const lines = auditLines(correlationId);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        level: 'warn',
        status,
        reason,
        method: 'POST',
        path,
        authorityCode: HCMC,
        procedureCode: procedure,
        requestId: expect.any(String),
        detail: expect.any(String),
      });
    }
    expect(auditLines('audit-401')[0]).toMatchObject({ actor: null, scope: null, detail: 'This endpoint needs a bearer token (Authorization: Bearer <token>)' });
    expect(auditLines('audit-403-role')[0]).toMatchObject({ actor: 'a-viewer', scope: '*' });
    expect(auditLines('audit-403-scope')[0]).toMatchObject({
      actor: `admin-["${HA_NOI}"]`,
      scope: HA_NOI,
      detail: "The token may not act for authority 79: authority 79 is outside the token's scope (01)",
    });
    expect(auditLines('audit-409')[0]).toMatchObject({ actor: `admin-["${HCMC}"]`, scope: HCMC, rule: 'ALREADY_IN_MODE' });
    const counted = await refusedTotals();
    for (const [, status, reason] of cases) {
      const key = `${status}/${reason}`;
      expect([key, counted[key] - (countedBefore[key] ?? 0)]).toEqual([key, 1]);
    }
  }, 30_000);

  it('writes no audit line for a query, nor for a command that succeeds', async () => {
    const procedure = await registered(HCMC);
    await api.withToken(await national()).get(procedurePath('1.999999', HCMC)).set('X-Correlation-Id', 'audit-query-404').expect(404);
    await api.withToken(await national()).post(`${procedurePath(procedure, HCMC)}/reclassify`).set('X-Correlation-Id', 'audit-ok').send(decision({ onlineMode: 'FULL_PROCESS' })).expect(200);
    expect(auditLines('audit-query-404')).toEqual([]);
    expect(auditLines('audit-ok')).toEqual([]);
  });
});

describe('AUTH_QUERY_SCOPE=restricted, with the scope in a configured claim (tthc.authorities)', () => {
  let restricted: ApiHarness;
  beforeAll(async () => {
    restricted = await startApi({ auth: { jwksUrl: idp.jwksUrl, authoritiesClaim: 'tthc.authorities', queryScope: 'restricted' } });
  }, 60_000);
  afterAll(() => restricted?.close());

  const viewer = (authorities: string[]) => idp.sign(claims({ roles: ['viewer', 'administrator'], authorities: undefined, tthc: { authorities } }), 'ES256');

  it("limits one authority's queries to the scope, lineage included", async () => {
    const hanoi = await viewer([HA_NOI]);
    await restricted.withToken(hanoi).get(`/api/authorities/${HA_NOI}/summary?at=2023-06-01`).expect(200);
    const res = await restricted.withToken(hanoi).get(`/api/authorities/${HCMC}/movement?from=2023-01-01&to=2023-12-31`).expect(403);
    expect(res.body).toMatchObject({ type: OUTSIDE, authorityCode: HCMC });
    await restricted.withToken(await viewer([HCMC])).get('/api/authorities/74/summary?at=2023-06-01').expect(200);
  });

  it('needs national scope for the national endpoints', async () => {
    const res = await restricted.withToken(await viewer([HCMC])).get('/api/summary').expect(403);
    expect(res.body).toMatchObject({ type: OUTSIDE, authorityCode: null, detail: 'This endpoint is national: it needs the authority scope * (the token\'s scope is 79)' });
    await restricted.withToken(await viewer(['*'])).get('/api/summary').expect(200);
    await restricted.withToken(await viewer(['*'])).get('/api/authorities').expect(200);
  });

  it('reads the scope from the configured claim only: a top-level authorities claim is ignored', async () => {
    const token = await idp.sign(claims({ roles: ['administrator'], authorities: ['*'] }), 'ES256');
    const res = await restricted.withToken(token).get('/api/summary').expect(403);
    expect(res.body.detail).toContain("(the token's scope is none)");
  });
});
