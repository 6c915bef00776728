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

let api: ApiHarness;

beforeAll(async () => {
  api = await startApi();
});

afterAll(async () => {
  await api?.close();
});

async function eventCountOf(procedureCode: string): Promise<number> {
  const { body } = await api.http().get(`${procedurePath(procedureCode)}/events`).expect(200);
  return body.events.length;
}

describe('Idempotency-Key', () => {
  it('replays the first reply of a registration (status, body, ETag) and appends nothing', async () => {
    const procedureCode = freshProcedureCode();
    const body = registration({ procedureCode });
    const first = await api.http().post(proceduresPath()).set('Idempotency-Key', 'register-1').send(body).expect(201);
    const before = await api.eventCount();

    const again = await api
      .http()
      .post(proceduresPath())
      .set('Idempotency-Key', 'register-1')
      // the same body with its keys in another order is the same request
      .send(Object.fromEntries(Object.entries(body).reverse()))
      .expect(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await api.eventCount()).toBe(before);
    expect(await eventCountOf(procedureCode)).toBe(1);
  });

  it('replays a 200 command even after the stream moved on', async () => {
    const procedureCode = freshProcedureCode();
    await api.http().post(proceduresPath()).send(registration({ procedureCode })).expect(201);
    const first = await api
      .http()
      .post(`${procedurePath(procedureCode)}/disable-paper-intake`)
      .set('Idempotency-Key', 'disable-1')
      .send(decision())
      .expect(200);
    await api.http().post(`${procedurePath(procedureCode)}/reenable-paper-intake`).send(decision()).expect(200);

    const again = await api
      .http()
      .post(`${procedurePath(procedureCode)}/disable-paper-intake`)
      .set('Idempotency-Key', 'disable-1')
      .send(decision())
      .expect(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers.etag).toBe('"1"');
    expect(await eventCountOf(procedureCode)).toBe(3);
  });

  it('answers the same key with another body with 422, appending nothing', async () => {
    const procedureCode = freshProcedureCode();
    await api.http().post(proceduresPath()).set('Idempotency-Key', 'register-2').send(registration({ procedureCode })).expect(201);
    const before = await api.eventCount();

    const { body, headers } = await api
      .http()
      .post(proceduresPath())
      .set('Idempotency-Key', 'register-2')
      .send(registration({ procedureCode: freshProcedureCode() }))
      .expect(422);
    expect(headers['content-type']).toMatch(PROBLEM_JSON);
    expect(body).toMatchObject({ status: 422, type: 'https://tthc-ledger.dev/problems/idempotency-key-reused' });
    expect(await api.eventCount()).toBe(before);
  });

  it('answers the same key and body on another path with 422', async () => {
    const procedureCode = freshProcedureCode();
    await api.http().post(proceduresPath()).send(registration({ procedureCode, onlineMode: 'FULL_PROCESS' })).expect(201);
    await api.http().post(`${procedurePath(procedureCode)}/disable-paper-intake`).set('Idempotency-Key', 'path-1').send(decision()).expect(200);
    await api.http().post(`${procedurePath(procedureCode)}/withdraw`).set('Idempotency-Key', 'path-1').send(decision()).expect(422);
    expect(await eventCountOf(procedureCode)).toBe(2);
  });

  it('releases the key of a failed command, so that a corrected retry may use it', async () => {
    const procedureCode = freshProcedureCode();
    await api.http().post(`${procedurePath(procedureCode)}/withdraw`).set('Idempotency-Key', 'retry-1').send(decision()).expect(404);
    await api.http().post(proceduresPath()).send(registration({ procedureCode })).expect(201);
    await api.http().post(`${procedurePath(procedureCode)}/withdraw`).set('Idempotency-Key', 'retry-1').send(decision()).expect(200);
    await api.http().post(`${procedurePath(procedureCode)}/withdraw`).set('Idempotency-Key', 'retry-1').send(decision()).expect(200);
    expect(await eventCountOf(procedureCode)).toBe(2);
  });

  it('releases the key of a request the validation refused', async () => {
    const procedureCode = freshProcedureCode();
    await api
      .http()
      .post(proceduresPath())
      .set('Idempotency-Key', 'invalid-1')
      .send(registration({ procedureCode, onlineMode: 'ONLINE' }))
      .expect(400);
    await api.http().post(proceduresPath()).set('Idempotency-Key', 'invalid-1').send(registration({ procedureCode })).expect(201);
  });

  it('lets concurrent repeats wait for the first reply: one append, the same reply for all', async () => {
    const procedureCode = freshProcedureCode();
    const body = registration({ procedureCode });
    const replies = await Promise.all(
      Array.from({ length: 5 }, () => api.http().post(proceduresPath()).set('Idempotency-Key', 'concurrent-1').send(body)),
    );
    expect(replies.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    for (const reply of replies) {
      expect(reply.body).toEqual(replies[0].body);
      expect(reply.headers.etag).toBe('"0"');
    }
    expect(await eventCountOf(procedureCode)).toBe(1);
  });

  it('stores the key, the request hash and the reply in api.idempotency_keys', async () => {
    const procedureCode = freshProcedureCode();
    const { body } = await api.http().post(proceduresPath()).set('Idempotency-Key', 'stored-1').send(registration({ procedureCode })).expect(201);
    const rows = await api.sql<{ request_hash: string; status: number; response: { body: unknown; etag: string } }>(
      `SELECT request_hash, status, response FROM api.idempotency_keys WHERE key = $1`,
      ['stored-1'],
    );
    expect(rows).toEqual([{ request_hash: expect.stringMatching(/^[0-9a-f]{64}$/), status: 201, response: expect.objectContaining({ body, etag: '"0"' }) }]);
  });

  it.each([
    ['too long', 'k'.repeat(201)],
    ['blank', '   '],
  ])('answers a %s key with 400 naming Idempotency-Key, appending nothing', async (_, key) => {
    const before = await api.eventCount();
    const { body } = await api
      .http()
      .post(proceduresPath())
      .set('Idempotency-Key', key)
      .send(registration({ procedureCode: freshProcedureCode() }))
      .expect(400);
    expect(body.errors).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);
    expect(await api.eventCount()).toBe(before);
  });

  it('answers a non-ASCII key with 400', async () => {
    const { body } = await api
      .http()
      .post(proceduresPath())
      .set('Idempotency-Key', Buffer.from('khóa', 'utf8').toString('latin1'))
      .send(registration({ procedureCode: freshProcedureCode() }))
      .expect(400);
    expect(body.errors[0].field).toBe('Idempotency-Key');
  });
});
