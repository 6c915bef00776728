import { PROBLEM_JSON, PROCEDURE, decision, freshProcedureCode, procedurePath, proceduresPath, registerProcedure, startApi, type ApiHarness } from '../support/api-app.js';

// Issue 11, item 2: input is taken one way only. Keys that would hide behind Object.prototype, bytes
// that are not UTF-8, integers written as anything but decimal digits, bodies that are not JSON and
// methods a path does not have are refused with a problem naming what is wrong, and nothing is appended.

let api: ApiHarness;
/** A registered procedure (PARTIAL, paper accepted) that the commands below try to change. */
let procedureCode: string;

beforeAll(async () => {
  api = await startApi();
  procedureCode = await registerProcedure(api);
});

afterAll(async () => {
  await api?.close();
});

interface FieldError {
  field: string;
  message: string;
}

/** Posts raw bytes; checks the status, a problem+json, and that the log holds what it held. */
async function refusedPost(path: string, body: string | Buffer, status: number, contentType = 'application/json') {
  const before = await api.eventCount();
  const res = await api.http().post(path).set('Content-Type', contentType).serialize(raw).send(body);
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
  expect(res.body.status).toBe(status);
  expect(await api.eventCount()).toBe(before);
  return res;
}

/** superagent would write a Buffer sent as JSON as `{"type":"Buffer",…}`: the bytes go as they are. */
const raw = (body: unknown) => body as string;

/** A valid body's JSON with one more member, written as raw JSON (JSON.stringify would drop `__proto__`). */
const withMember = (body: object, key: string, json: string) => JSON.stringify(body).replace(/}$/, `,${JSON.stringify(key)}:${json}}`);

describe('keys named after members of Object.prototype', () => {
  const withdrawPath = () => `${procedurePath(procedureCode)}/withdraw`;

  it.each([
    ['__proto__', '{"effectiveFrom":"2023-07-01"}'],
    ['constructor', '{"x":1}'],
    ['toString', '"x"'],
    ['hasOwnProperty', '1'],
    ['valueOf', 'null'],
    ['isPrototypeOf', 'true'],
  ])('refuses %s beside an otherwise valid command, naming it', async (key, json) => {
    const res = await refusedPost(withdrawPath(), withMember(decision(), key, json), 400);
    expect(res.body.type).toBe('https://tthc-ledger.dev/problems/invalid-request');
    expect(res.body.errors).toEqual([{ field: key, message: `property ${key} should not exist` }]);
  });

  it('refuses them on a registration too, and reports them with the other fields', async () => {
    const body = '{"name":"Thủ tục","constructor":{},"toString":1}';
    const res = await refusedPost(proceduresPath(), body, 400);
    const fields = (res.body.errors as FieldError[]).map((e) => e.field).sort();
    expect(fields).toEqual(['constructor', 'effectiveFrom', 'onlineMode', 'procedureCode', 'toString']);
  });

  it('refuses them as query parameters', async () => {
    const res = await api.http().get('/api/authorities/74/summary?toString=1&at=2023-06-01').expect(400);
    expect(res.body.errors).toEqual([{ field: 'toString', message: 'property toString should not exist' }]);
  });

  it('still carries out the command without them', async () => {
    const code = await registerProcedure(api);
    await api.http().post(`${procedurePath(code)}/withdraw`).send(decision()).expect(200);
  });
});

describe('bodies that are not UTF-8', () => {
  const name = (bytes: number[]) =>
    Buffer.concat([
      Buffer.from(`{"procedureCode":"${freshProcedureCode()}","onlineMode":"PARTIAL","effectiveFrom":"2023-06-01","name":"Đăng ký `),
      Buffer.from(bytes),
      Buffer.from(' hộ kinh doanh"}'),
    ]);

  it.each([
    ['a Latin-1 byte', [0xe9]],
    ['a stray continuation byte', [0x80]],
    ['a truncated sequence', [0xe1, 0xba]],
    ['an overlong encoding of "/"', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a byte never used in UTF-8', [0xff]],
  ])('refuses %s with 400 instead of storing U+FFFD', async (_, bytes) => {
    const res = await refusedPost(proceduresPath(), name(bytes), 400);
    expect(res.body.type).toBe('https://tthc-ledger.dev/problems/invalid-encoding');
    expect(res.body.errors).toEqual([{ field: 'body', message: 'must be valid UTF-8' }]);
  });

  it('keeps Vietnamese text sent as UTF-8, byte for byte', async () => {
    const res = await api.http().post(proceduresPath()).set('Content-Type', 'application/json; charset=utf-8').serialize(raw).send(name([0xc3, 0xa9])).expect(201);
    const { body } = await api.http().get(procedurePath(res.body.streamId.split(':')[1])).expect(200);
    expect(body.name).toBe('Đăng ký é hộ kinh doanh');
  });

  it.each(['utf-16', 'utf-16le', 'iso-8859-1', 'windows-1258'])('refuses charset=%s with 415: JSON is UTF-8', async (charset) => {
    const res = await refusedPost(`${procedurePath(procedureCode)}/withdraw`, JSON.stringify(decision()), 415, `application/json; charset=${charset}`);
    expect(res.body.detail).toMatch(/charset/i);
  });
});

describe('integer query parameters', () => {
  const POSITION = 'must be an integer from 0 to 9007199254740991';

  it.each([
    ['/api/events?after=0x10', 'after', POSITION],
    ['/api/events?after=1e3', 'after', POSITION],
    ['/api/events?after=', 'after', POSITION],
    ['/api/events?after=%20', 'after', POSITION],
    ['/api/events?after=1.0', 'after', POSITION],
    ['/api/events?after=-1', 'after', POSITION],
    ['/api/events?after=abc', 'after', POSITION],
    ['/api/events?after=1&after=2', 'after', POSITION],
    ['/api/events?after=9007199254740992', 'after', POSITION],
    ['/api/events?limit=1e1', 'limit', 'must be an integer from 1 to 1000'],
    ['/api/events?limit=0x10', 'limit', 'must be an integer from 1 to 1000'],
    ['/api/events?limit=', 'limit', 'must be an integer from 1 to 1000'],
    ['/api/events?limit=1001', 'limit', 'must be an integer from 1 to 1000'],
    ['/api/authorities/74/summary?afterPosition=abc', 'afterPosition', POSITION],
    ['/api/authorities/74/summary?afterPosition=99999999999999999999', 'afterPosition', POSITION],
    ['/api/authorities?afterPosition=1e3', 'afterPosition', POSITION],
    ['/api/summary?asOfPosition=0x10', 'asOfPosition', POSITION],
    ['/api/authorities/74/procedures?page=1e1', 'page', 'must be an integer from 1 to 100000'],
    ['/api/authorities/74/procedures?pageSize=', 'pageSize', 'must be an integer from 1 to 500'],
  ])('%s: 400 with one message for %s', async (path, field, message) => {
    const res = await api.http().get(path);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(res.body.errors).toEqual([{ field, message }]);
  });

  it('reads decimal digits', async () => {
    const { body } = await api.http().get('/api/events?after=0&limit=1').expect(200);
    expect(body.events).toHaveLength(1);
    await api.http().get('/api/authorities/74/procedures?page=1&pageSize=500').expect(200);
  });
});

describe('bodies in another media type', () => {
  it.each([
    ['text/plain', JSON.stringify(decision())],
    ['text/plain; charset=utf-8', JSON.stringify(decision())],
    ['application/x-www-form-urlencoded', 'effectiveFrom=2023-07-01&decisionRef=QD'],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n'],
    ['application/xml', '<withdraw/>'],
  ])('answers a %s body with 415', async (contentType, body) => {
    const res = await refusedPost(`${procedurePath(procedureCode)}/withdraw`, body, 415, contentType);
    expect(res.body.type).toBe('https://tthc-ledger.dev/problems/unsupported-media-type');
    expect(res.body.errors).toEqual([{ field: 'Content-Type', message: 'must be application/json' }]);
  });

  it('answers a body without Content-Type with 415', async () => {
    const before = await api.eventCount();
    const res = await api.http().post(`${procedurePath(procedureCode)}/withdraw`).set('Content-Type', '').send(Buffer.from(JSON.stringify(decision())));
    expect(res.status).toBe(415);
    expect(await api.eventCount()).toBe(before);
  });

  it('asks for a token before it looks at the body', async () => {
    await api.anonymous().post(`${procedurePath(procedureCode)}/withdraw`).set('Content-Type', 'text/plain').send('x').expect(401);
  });

  it('lets a bodyless POST through', async () => {
    await api.as('auditor').post('/api/audit/verifications').expect(200);
  });
});

describe('methods a path does not have', () => {
  // The method is what is refused: whether the procedure exists does not matter.
  it.each([
    ['delete', procedurePath(PROCEDURE), 'GET, HEAD'],
    ['put', procedurePath(PROCEDURE), 'GET, HEAD'],
    ['patch', procedurePath(PROCEDURE), 'GET, HEAD'],
    ['delete', proceduresPath(), 'GET, HEAD, POST'],
    ['get', `${procedurePath(PROCEDURE)}/reclassify`, 'POST'],
    ['post', '/api/authorities/74/summary', 'GET, HEAD'],
    ['post', '/api/summary', 'GET, HEAD'],
    ['get', '/api/audit/verifications', 'POST'],
    ['delete', '/api/events', 'GET, HEAD'],
    ['post', '/health', 'GET, HEAD'],
    ['post', '/metrics', 'GET, HEAD'],
  ] as const)('answers %s %s with 405 and Allow: %s', async (method, path, allow) => {
    const before = await api.eventCount();
    const res = await api.http()[method](path);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe(allow);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(res.body).toMatchObject({ type: 'https://tthc-ledger.dev/problems/method-not-allowed', status: 405 });
    expect(await api.eventCount()).toBe(before);
  });

  it('still answers 404 for a path that does not exist', async () => {
    const res = await api.http().delete('/api/nothing-here').expect(404);
    expect(res.headers.allow).toBeUndefined();
  });
});

describe('If-None-Match on a GET that carries an ETag', () => {
  it.each(['"0"', 'W/"0"', '"7", "0"', '*'])('answers %s with 304, the ETag and no body', async (tag) => {
    const code = await registerProcedure(api);
    const res = await api.http().get(procedurePath(code)).set('If-None-Match', tag);
    expect(res.status).toBe(304);
    expect(res.headers.etag).toBe('"0"');
    expect(res.text).toBeFalsy();
  });

  it('answers 200 with the new ETag once the procedure has changed', async () => {
    const code = await registerProcedure(api);
    await api.http().post(`${procedurePath(code)}/disable-paper-intake`).send(decision()).expect(200);
    const res = await api.http().get(procedurePath(code)).set('If-None-Match', '"0"').expect(200);
    expect(res.headers.etag).toBe('"1"');
    expect(res.body.revision).toBe(1);
  });
});
