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

// A battery of hostile input over every endpoint (commands, queries, audit reads), sent with an
// administrator's token so that nothing but the input itself is refused. Each attempt must get a 4xx
// application/problem+json that shows no stack trace, path or SQL, must leave the log as it was, and
// must not take long. (test/api/bad-input.e2e.spec.ts checks the field-by-field messages.)

let api: ApiHarness;
/** A registered procedure (PARTIAL, paper accepted) that the commands and reads below address. */
let procedureCode: string;

beforeAll(async () => {
  api = await startApi();
  procedureCode = freshProcedureCode();
  await api.http().post(proceduresPath()).send(registration({ procedureCode })).expect(201);
});

afterAll(async () => {
  await api?.close();
});

/** What must never be in an answer: stack frames, file paths, module names, SQL and PostgreSQL internals. */
const LEAKS = /\bat \S+ \(|\/(?:work|home|usr|app)\/|node_modules|\.ts:\d+|\b(?:SELECT|INSERT|UPDATE|DELETE)\b.*\b(?:FROM|INTO|SET)\b|\bpg_|event_store\.|read_model\.|syntax error|relation "|violates|TypeError|RangeError|ReferenceError/i;

interface Attempt {
  method?: 'get' | 'post';
  path: string;
  body?: unknown;
  rawJson?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** Sends it and checks: a 4xx problem+json (`status` when given), nothing leaked, nothing appended, answered quickly. */
async function refused(attempt: Attempt, status?: number) {
  const before = await api.eventCount();
  const started = Date.now();
  let req = api.http()[attempt.method ?? 'post'](attempt.path);
  for (const [name, value] of Object.entries(attempt.headers ?? {})) req = req.set(name, value);
  if (attempt.rawJson !== undefined) req = req.set('Content-Type', attempt.contentType ?? 'application/json').send(attempt.rawJson);
  else if (attempt.body !== undefined) req = req.send(attempt.body as object);
  const res = await req;
  const elapsed = Date.now() - started;
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  if (status !== undefined) expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
  expect(res.body).toMatchObject({ type: expect.stringMatching(/^https:\/\/tthc-ledger\.dev\/problems\//), status: res.status, title: expect.any(String) });
  expect(res.text).not.toMatch(LEAKS);
  expect(elapsed).toBeLessThan(3_000);
  expect(await api.eventCount()).toBe(before);
  return res;
}

interface Command {
  name: string;
  path: () => string;
  /** A body the command would accept. */
  body: () => Record<string, unknown>;
  /** Its free-text field. */
  text: string;
  /** Its date field (effectiveFrom but for the national facts, issue 18; null: it has none, a rescission). */
  date?: string | null;
}

const COMMANDS: Command[] = [
  { name: 'register', path: () => proceduresPath(), body: () => registration({ procedureCode: freshProcedureCode() }), text: 'name' },
  { name: 'reclassify', path: () => `${procedurePath(procedureCode)}/reclassify`, body: () => decision({ onlineMode: 'FULL_PROCESS' }), text: 'decisionRef' },
  { name: 'disable-paper-intake', path: () => `${procedurePath(procedureCode)}/disable-paper-intake`, body: () => decision(), text: 'reason' },
  { name: 'reenable-paper-intake', path: () => `${procedurePath(procedureCode)}/reenable-paper-intake`, body: () => decision(), text: 'decisionRef' },
  { name: 'withdraw', path: () => `${procedurePath(procedureCode)}/withdraw`, body: () => decision(), text: 'reason' },
  {
    name: 'procedure-system/assessments',
    path: () => '/api/authorities/74/procedure-system/assessments',
    body: () => ({ assessedOn: '2023-10-16', meetsAllRequirements: true, source: 'Báo cáo' }),
    text: 'source',
    date: 'assessedOn',
  },
  { name: 'population-database/connect', path: () => '/api/authorities/74/population-database/connect', body: () => ({ connectedOn: '2023-03-01', source: 'Báo cáo' }), text: 'source', date: 'connectedOn' },
  {
    name: 'population-database/disconnect',
    path: () => '/api/authorities/74/population-database/disconnect',
    body: () => ({ disconnectedOn: '2023-11-01', source: 'Báo cáo', reason: 'bảo trì' }),
    text: 'source',
    date: 'disconnectedOn',
  },
  {
    name: 'corrections',
    path: () => `${procedurePath(procedureCode)}/corrections`,
    body: () => ({ revision: 0, effectiveFrom: '2023-05-01', reason: 'Nhập nhầm ngày hiệu lực' }),
    text: 'reason',
  },
  {
    name: 'rescissions',
    path: () => `${procedurePath(procedureCode)}/rescissions`,
    body: () => ({ revisions: [0], decisionRef: 'QĐ 99/QĐ-UBND' }),
    text: 'decisionRef',
    date: null,
  },
];

/** 10,000 levels of arrays, as raw JSON (about 20 KB: under the body limit). */
const DEEP_ARRAY = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
const deepObject = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

describe.each(COMMANDS.map((c) => [c.name, c] as const))('POST %s', (_, command) => {
  const withField = (field: string, value: unknown) => ({ path: command.path(), body: { ...command.body(), [field]: value } });

  describe('wrong types', () => {
    it.each([
      ['a number', 42],
      ['a boolean', true],
      ['an array', ['QĐ 1']],
      ['an object', { $ne: null }],
      ['null', null],
      ['a huge number', 1e308],
    ])(`refuses the free text as %s`, async (_, value) => {
      await refused(withField(command.text, value), 400);
    });

    it.each([
      ['a number', 20230601],
      ['an object', { year: 2023 }],
      ['an array', ['2023-06-01']],
      ['a boolean', false],
    ])('refuses the date as %s', async (_, value) => {
      await refused(withField(command.date ?? 'effectiveFrom', value), 400); // a rescission refuses the unknown field
    });

    it.each([
      ['an array body', '[]'],
      ['a string body', '"withdraw"'],
      ['a number body', '42'],
      ['null', 'null'],
      ['duplicate keys, the last one wrongly typed', `{"effectiveFrom":"2023-07-01","decisionRef":"QĐ 1","decisionRef":7}`],
    ])('refuses %s', async (_, rawJson) => {
      await refused({ path: command.path(), rawJson }, 400);
    });

    it.each([
      ['actor', 'root'],
      ['metadata', { actor: 'root' }],
      ['revision', 0],
      ['globalPosition', 1],
      ['authorityCode', '01'],
      ['roles', ['administrator']],
    ].filter(([field]) => !((field as string) in command.body())) as [string, unknown][])('refuses the field %s the contract does not have', async (field, value) => {
      await refused(withField(field, value), 400);
    });
  });

  describe('size and depth', () => {
    it('refuses a free text of 100,000 characters (413: over the 64 KiB body limit)', async () => {
      await refused(withField(command.text, 'x'.repeat(100_000)), 413);
    });

    it('refuses a free text of 5,000 characters (400: over its own limit)', async () => {
      await refused(withField(command.text, 'x'.repeat(5_000)), 400);
    });

    it('refuses 10,000 levels of nested arrays as a body, without crashing or hanging', async () => {
      await refused({ path: command.path(), rawJson: DEEP_ARRAY }, 400);
    });

    it('refuses 10,000 levels of nested objects inside a field', async () => {
      const rawJson = JSON.stringify(command.body()).replace(/}$/, `,"${command.text}":${deepObject(10_000)}}`);
      const res = await refused({ path: command.path(), rawJson }, 400);
      expect(res.body.errors).toEqual([{ field: 'body', message: 'must not nest objects or arrays more than 32 levels deep' }]);
    });

    it('refuses 100,000 levels (413: too large before it is even parsed)', async () => {
      await refused({ path: command.path(), rawJson: deepObject(100_000) }, 413);
    });

    it('refuses an object with 5,000 keys', async () => {
      const many = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i]));
      await refused({ path: command.path(), body: { ...command.body(), ...many } }, 400);
    });
  });

  describe('unicode in the free text', () => {
    it.each([
      ['stacked combining marks (Zalgo)', 'Đăng ký\u0301\u0302\u0303\u0304\u0305 hộ kinh doanh'],
      ['a right-to-left override', 'QĐ \u202e1234/QĐ-UBND'],
      ['a right-to-left mark', 'QĐ\u200f 1234'],
      ['an Arabic letter mark', 'QĐ\u061c 1234'],
      ['right-to-left isolates', 'QĐ \u2067abc\u2069'],
      ['a zero-width space', 'QĐ\u200b1234'],
      ['a zero-width joiner', 'QĐ\u200d1234'],
      ['a word joiner', 'QĐ\u20601234'],
      ['a byte order mark', '\ufeffQĐ 1234'],
      ['a soft hyphen', 'QĐ\u00ad1234'],
      ['a line separator', 'QĐ\u2028 1234'],
      ['a NUL', 'QĐ\u0000 1234'],
      ['an escape sequence', 'QĐ \u001b[31m1234'],
      ['tag characters', `QĐ 1234${String.fromCodePoint(0xe0041, 0xe0042)}`],
      ['a private use character', 'QĐ \ue000 1234'],
      ['a Hangul filler', 'QĐ \u3164 1234'],
    ])('refuses %s', async (_, value) => {
      await refused(withField(command.text, value), 400);
    });

    it.each([
      ['a lone high surrogate', '"QĐ \\ud800 1234"'],
      ['a lone low surrogate', '"QĐ \\udc00 1234"'],
      ['an escaped NUL', '"QĐ \\u0000 1234"'],
    ])('refuses %s, which PostgreSQL could not store', async (_, json) => {
      const body = command.body();
      delete body[command.text];
      await refused({ path: command.path(), rawJson: JSON.stringify(body).replace(/}$/, `,"${command.text}":${json}}`) }, 400);
    });

    it('refuses a body in a charset JSON does not allow (415)', async () => {
      await refused({ path: command.path(), rawJson: JSON.stringify(command.body()), contentType: 'application/json; charset=latin1' }, 415);
    });

    it('refuses a body declared UTF-16 (415: JSON is UTF-8, RFC 8259 §8.1)', async () => {
      await refused({ path: command.path(), rawJson: JSON.stringify(command.body()), contentType: 'application/json; charset=utf-16' }, 415);
    });

    it('refuses a body in another media type than JSON (form data) with 415', async () => {
      await refused({ path: command.path(), rawJson: 'effectiveFrom=2023-07-01&decisionRef=QD', contentType: 'application/x-www-form-urlencoded' }, 415);
    });
  });

  describe('SQL- and script-looking values where a code, an enum or a date belongs', () => {
    it.each([
      ['effectiveFrom', "2023-07-01'; DROP TABLE event_store.events; --"],
      ['effectiveFrom', "' OR '1'='1"],
      ['effectiveFrom', '2023-07-01<script>alert(1)</script>'],
      ['onlineMode', "FULL_PROCESS' OR 1=1 --"],
      ['onlineMode', '<img src=x onerror=alert(1)>'],
      ['procedureCode', "1.001612'); DELETE FROM event_store.events; --"],
      ['procedureCode', '${7*7}'],
    ])('refuses %s = %j', async (field, value) => {
      await refused(withField(field, value), 400);
    });
  });

  // A command without a date (a rescission names only the event it rescinds) has no such cases.
  if (command.date !== null) describe('invalid dates', () => {
    it.each(['2023-02-30', '2023-02-29', '2024-02-30', '99999-01-01', '0000-01-01', '2023-00-10', '2023-13-01', '2023-06-31', '2023-06-01T00:00:00', '2023-06-01 ', ' 2023-06-01', '-2023-01-01', '+002023-01-01', '2023-W23-1', '2023-152', '2023/06/01', '01/06/2023', '2023-6-1', '', '1e3'])(
      'refuses the date %j',
      async (effectiveFrom) => {
        const field = command.date ?? 'effectiveFrom';
        const res = await refused(withField(field, effectiveFrom), 400);
        expect(res.body.errors).toContainEqual({ field, message: 'must be a real calendar date YYYY-MM-DD' });
      },
    );
  });

  describe('headers', () => {
    it.each([
      ['If-Match', 'x'.repeat(5_000)],
      ['If-Match', '"1" OR 1=1'],
      ['If-Match', '"-1"'],
      ['If-Match', '"99999999999999999999"'],
      ['Idempotency-Key', 'k'.repeat(5_000)],
      ['Idempotency-Key', "k'; DROP TABLE api.idempotency_keys; --".padEnd(201, 'x')],
    ])('refuses %s: %s', async (name, value) => {
      const res = await refused({ path: command.path(), body: command.body(), headers: { [name]: value } }, 400);
      expect(res.body.errors).toEqual([{ field: name, message: expect.any(String) }]);
    });
  });
});

describe('prototype pollution', () => {
  it('refuses __proto__ and constructor keys without polluting any prototype', async () => {
    const rawJson = JSON.stringify(registration({ procedureCode: freshProcedureCode() })).replace(
      /}$/,
      ',"__proto__":{"polluted":true,"roles":["administrator"]},"constructor":{"prototype":{"polluted":true}}}',
    );
    const res = await api.http().post(proceduresPath()).set('Content-Type', 'application/json').send(rawJson);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).roles).toBeUndefined();
  });
});

describe('path traversal and injection in the codes of the path', () => {
  const cases: [string, string][] = [
    ['../..', '..%2F..%2Fetc%2Fpasswd'],
    ['encoded dots', '%2e%2e%2f%2e%2e%2f'],
    ['double-encoded', '%252e%252e%252f'],
    ['backslashes', '..%5C..%5Cwindows'],
    ['overlong UTF-8', '%c0%ae%c0%ae%2f'],
    ['a NUL', '1.001612%00'],
    ['CRLF', '1.001612%0d%0aSet-Cookie:%20x=1'],
    ['SQL', "1.001612'%20OR%20'1'='1"],
    ['a script', '%3Cscript%3Ealert(1)%3C%2Fscript%3E'],
    ['a code of 5,000 characters', `1.${'0'.repeat(5_000)}`],
    ['a trailing dot', '1.001612.'],
    ['a dot-dot suffix', '1.001612..'],
  ];

  it.each(cases)('refuses %s as the procedure code of every command and read', async (_, code) => {
    for (const command of COMMANDS.filter((c) => c.path().includes(procedureCode))) {
      await refused({ path: command.path().replace(procedureCode, code), body: command.body() });
    }
    await refused({ method: 'get', path: procedurePath(code) });
    await refused({ method: 'get', path: `${procedurePath(code)}/events` });
    await refused({ method: 'get', path: `${procedurePath(code)}/state` });
  });

  it.each([...cases, ['a dot segment', '..'], ['an empty code', '%20'], ['SQL in the authority', "74'--"], ['an out-of-range code', '99']])(
    'refuses %s as the authority code of every endpoint',
    async (_, code) => {
      await refused({ path: proceduresPath(code), body: registration({ procedureCode: freshProcedureCode() }) });
      await refused({ method: 'get', path: procedurePath(procedureCode, code) });
      await refused({ method: 'get', path: `${procedurePath(procedureCode, code)}/events` });
      await refused({ method: 'get', path: `${procedurePath(procedureCode, code)}/state` });
      await refused({ method: 'get', path: `/api/authorities/${code}/summary` });
      await refused({ method: 'get', path: `/api/authorities/${code}/movement?from=2023-01-01&to=2023-12-31` });
      await refused({ method: 'get', path: `/api/authorities/${code}/procedures` });
    },
  );
});

describe('hostile query strings', () => {
  const QUERIES = ['/api/authorities/74/summary', '/api/summary', '/api/authorities/74/procedures'];

  it.each([
    ['at', '2023-02-30'],
    ['at', '99999-01-01'],
    ['at', "2023-06-01' OR '1'='1"],
    ['at', ''],
    ['at', 'null'],
    ['knownAt', 'yesterday'],
    ['knownAt', '2023-07-01T00:00:00'],
    ['knownAt', '0001-01-01T00:00:00Z'],
    ['knownAt', '99999-01-01T00:00:00Z'],
    ['knownAt', '2023-07-01T25:00:00Z'],
    ['knownAt', '2023-02-30T00:00:00Z'],
    ['afterPosition', '-1'],
    ['afterPosition', '1e20'],
    ['afterPosition', '9007199254740993'],
    ['afterPosition', 'abc'],
    ['afterPosition', '0x10'],
  ])('refuses %s=%j on every query that takes it', async (name, value) => {
    for (const path of QUERIES) await refused({ method: 'get', path: `${path}?${name}=${encodeURIComponent(value)}` }, 400);
  });

  it.each([
    ['at', '2023-02-30'],
    ['at', '99999-01-01'],
    ['at', "2023-06-01'--"],
    ['knownAt', '2023-02-30T00:00:00Z'],
    ['knownAt', '2023-07-01T24:00:00Z'],
    ['knownAt', 'now'],
  ])("refuses %s=%j in an audit read of a procedure's state", async (name, value) => {
    await refused({ method: 'get', path: `${procedurePath(procedureCode)}/state?${name}=${encodeURIComponent(value)}` }, 400);
  });

  it.each([
    ['after', '-1'],
    ['after', 'abc'],
    ['after', '1e400'],
    ['after', "0' OR 1=1"],
    ['limit', '0'],
    ['limit', '-5'],
    ['limit', '1001'],
    ['limit', '1e309'],
    ['limit', '99999999999999999999'],
  ])('refuses %s=%j in an audit read of the log', async (name, value) => {
    const res = await refused({ method: 'get', path: `/api/events?${name}=${encodeURIComponent(value)}` }, 400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(name);
  });

  it('refuses 10,000 levels of nesting sent to the audit verification', async () => {
    await refused({ path: '/api/audit/verifications', rawJson: DEEP_ARRAY }, 400);
  });

  it.each([
    ['page', '-1'],
    ['page', '0'],
    ['page', '-9999999999'],
    ['page', '100001'],
    ['page', '1e309'],
    ['page', '99999999999999999999999'],
    ['page', 'NaN'],
    ['page', 'Infinity'],
    ['page', '1.5'],
    ['page', ' '],
    ['pageSize', '-5'],
    ['pageSize', '0'],
    ['pageSize', '501'],
    ['pageSize', '1000000'],
    ['onlineMode', "FULL_PROCESS' OR 1=1 --"],
    ['paperIntake', '<script>'],
  ])('refuses %s=%j in the procedure list', async (name, value) => {
    const res = await refused({ method: 'get', path: `/api/authorities/74/procedures?${name}=${encodeURIComponent(value)}` }, 400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(name);
  });

  it.each([
    ['a repeated page', 'page=1&page=2'],
    ['a nested page', 'page[a]=1'],
    ['a nested pageSize', 'pageSize[$gt]=0'],
    ['an unknown parameter', 'orderBy=1;DROP TABLE x'],
    ['a query string of 6,000 characters', `at=${'9'.repeat(6_000)}`],
  ])('refuses %s', async (_, query) => {
    await refused({ method: 'get', path: `/api/authorities/74/procedures?${query}` }, 400);
  });

  it.each([
    ['from after to', 'from=2023-10-16&to=2023-06-01'],
    ['an impossible from', 'from=2023-02-30&to=2023-06-01'],
    ['a far future to', 'from=2023-06-01&to=99999-01-01'],
    ['no dates', ''],
  ])('refuses a movement with %s', async (_, query) => {
    await refused({ method: 'get', path: `/api/authorities/74/movement?${query}` }, 400);
  });
});

describe('values that look hostile but are data', () => {
  // Refusing `<script>` or `'; DROP TABLE` in a procedure's name would be theatre: names are stored
  // through parameterised SQL and served as JSON (with nosniff and a strict CSP), never as HTML or SQL.
  it.each([
    ["Robert'); DROP TABLE event_store.events; --"],
    ['<script>alert(document.cookie)</script>'],
    ['{{7*7}} ${7*7} %s %n'],
    ['../../etc/passwd'],
    ['Đăng ký thành lập hộ kinh doanh — Cấp huyện (toàn trình)'],
  ])('stores the name %j verbatim and serves it as JSON', async (name) => {
    const code = freshProcedureCode();
    await api.http().post(proceduresPath()).send(registration({ procedureCode: code, name })).expect(201);
    const res = await api.http().get(procedurePath(code)).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body.name).toBe(name);
    expect(await api.eventCount()).toBeGreaterThan(0); // the table is still there
  });

  it('stores Vietnamese typed with combining tone marks as its precomposed (NFC) form', async () => {
    const code = freshProcedureCode();
    const decomposed = 'Đăng ký hộ kinh doanh'.normalize('NFD');
    expect(decomposed).not.toBe('Đăng ký hộ kinh doanh');
    await api.http().post(proceduresPath()).send(registration({ procedureCode: code, name: decomposed })).expect(201);
    expect((await api.http().get(procedurePath(code)).expect(200)).body.name).toBe('Đăng ký hộ kinh doanh');
  });
});

it('still serves normally after the whole battery, with the procedure as it was registered', async () => {
  await api.http().get('/health').expect(200);
  const { body } = await api.http().get(`${procedurePath(procedureCode)}/events`).expect(200);
  expect(body.events.map((e: { type: string }) => e.type)).toEqual(['ProcedureRegistered']);
});
