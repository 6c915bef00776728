import { randomUUID } from 'node:crypto';
import { EVENT_STORE, type EventStore, type NewEvent } from '@tthc/event-store';
import {
  PROBLEM_JSON,
  TEST_SUBJECT,
  decision,
  freshProcedureCode,
  procedurePath,
  proceduresPath,
  registration,
  startApi,
  type ApiHarness,
} from '../support/api-app.js';

/*
 * The audit half of API.md over the real app: provenance on every event and in the request log,
 * the global log as pages and as an NDJSON stream, and POST /api/audit/verifications finding a row
 * edited with SQL. The projector is off: these tests append events of their own to the store.
 */

let api: ApiHarness;
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  api = await startApi({ runProjector: false, logLevel: 'info', logDestination: { write: (line: string) => void logLines.push(JSON.parse(line)) } });
});

afterAll(async () => {
  await api?.close();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function registered(correlationId?: string): Promise<string> {
  const procedureCode = freshProcedureCode();
  const req = api.http().post(proceduresPath()).send(registration({ procedureCode }));
  await (correlationId ? req.set('X-Correlation-Id', correlationId) : req).expect(201);
  return procedureCode;
}

describe('provenance', () => {
  it('names on every event who issued it, its correlation, and the request that caused it, as the request log does', async () => {
    const procedureCode = await registered('audit-provenance');
    await api
      .http()
      .post(`${procedurePath(procedureCode)}/reclassify`)
      .set('X-Correlation-Id', 'audit-provenance')
      .send({ ...decision({ decisionRef: 'QĐ 1900/QĐ-UBND' }), onlineMode: 'FULL_PROCESS' })
      .expect(200);

    const { body } = await api.as('auditor').get(`${procedurePath(procedureCode)}/events`).expect(200);
    const [registration_, upgrade] = body.events;
    for (const event of body.events) {
      expect(event).toMatchObject({ actor: TEST_SUBJECT, correlationId: 'audit-provenance', causationId: expect.stringMatching(UUID) });
    }
    // Two requests of one correlation: two causes.
    expect(registration_.causationId).not.toBe(upgrade.causationId);
    // A transition carries the legal decision that made it.
    expect(upgrade).toMatchObject({ type: 'ProcedureUpgradedToFullProcess', data: expect.objectContaining({ decisionRef: 'QĐ 1900/QĐ-UBND' }) });

    const requests = logLines.filter((l) => l.correlationId === 'audit-provenance' && l.method === 'POST');
    expect(requests).toEqual([
      expect.objectContaining({ status: 201, actor: TEST_SUBJECT, requestId: registration_.causationId }),
      expect.objectContaining({ status: 200, actor: TEST_SUBJECT, requestId: upgrade.causationId }),
    ]);
  });

  it('logs a refused request without an actor', async () => {
    await api.anonymous().get('/api/events').set('X-Correlation-Id', 'audit-anonymous').expect(401);
    expect(logLines.filter((l) => l.correlationId === 'audit-anonymous')).toEqual([expect.objectContaining({ status: 401, actor: null })]);
  });
});

describe('GET /api/events', () => {
  it('pages through the global log in order, each event with its stream, provenance and hash', async () => {
    const first = await registered();
    const second = await registered();
    const { body } = await api.as('auditor').get('/api/events?after=0&limit=1').expect(200);
    expect(body).toEqual({ events: [expect.any(Object)], nextAfter: body.events[0].globalPosition, position: expect.any(Number) });
    // The log opens with the setup of the shipped units, which the first start issued as actor `setup`.
    expect(body.events[0]).toEqual({
      globalPosition: expect.any(Number),
      streamId: expect.stringMatching(/^authority-\d\d$/),
      revision: 0,
      id: expect.stringMatching(UUID),
      type: 'AuthorityEstablished',
      schemaVersion: 1,
      data: expect.objectContaining({ authorityCode: expect.stringMatching(/^\d\d$/), effectiveFrom: '2008-08-01' }),
      recordedAt: expect.stringMatching(/Z$/),
      actor: 'setup',
      correlationId: expect.stringMatching(/^setup-authorities-/),
      causationId: null,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const mine = await api.as('auditor').get(`/api/events?after=${body.nextAfter}&limit=1000`).expect(200);
    expect(mine.body.events.find((e: { streamId: string }) => e.streamId === `procedure-74:${first}`)).toEqual({
      globalPosition: expect.any(Number),
      streamId: `procedure-74:${first}`,
      revision: 0,
      id: expect.stringMatching(UUID),
      type: 'ProcedureRegistered',
      schemaVersion: 1,
      data: expect.objectContaining({ authorityCode: '74' }),
      recordedAt: expect.stringMatching(/Z$/),
      actor: TEST_SUBJECT,
      correlationId: expect.any(String),
      causationId: expect.stringMatching(UUID),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });

    const all: { globalPosition: number; streamId: string }[] = [];
    for (let after = 0; ; ) {
      const page = (await api.as('administrator').get(`/api/events?after=${after}&limit=2`).expect(200)).body;
      if (page.events.length === 0) {
        expect(page.nextAfter).toBe(after);
        break;
      }
      expect(page.events.length).toBeLessThanOrEqual(2);
      all.push(...page.events);
      after = page.nextAfter;
      expect(page.position).toBeGreaterThanOrEqual(after);
    }
    expect(all.map((e) => e.globalPosition)).toEqual([...all.map((e) => e.globalPosition)].sort((a, b) => a - b));
    expect(all.map((e) => e.streamId)).toEqual(expect.arrayContaining([`procedure-74:${first}`, `procedure-74:${second}`]));
    expect(all).toHaveLength(await api.eventCount());
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=1001', 'limit'],
    ['limit=2.5', 'limit'],
    ['after=-1', 'after'],
    ['after=abc', 'after'],
  ])('refuses %s with a 400 naming the field', async (query, field) => {
    const { body, headers } = await api.as('auditor').get(`/api/events?${query}`).expect(400);
    expect(headers['content-type']).toMatch(PROBLEM_JSON);
    expect(body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(body.errors.every((e: { field: string }) => e.field === field)).toBe(true);
  });

  it('is for auditors and administrators only', async () => {
    await api.as('viewer').get('/api/events').expect(403);
    await api.anonymous().get('/api/events').expect(401);
    await api.as('viewer').post('/api/audit/verifications').expect(403);
    await api.anonymous().post('/api/audit/verifications').expect(401);
  });

  describe('as NDJSON', () => {
    const STREAMS = 40;
    let appended = 0;

    beforeAll(async () => {
      // A few thousand events, straight into the store, from eight writers at once.
      const store = api.app.get<EventStore>(EVENT_STORE);
      const streams = Array.from({ length: STREAMS }, (_, i) => `audit-stream-${i}-${randomUUID()}`);
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let i = next++; i < 300; i = next++) {
            await store.appendToStream(streams[i % STREAMS], Array.from({ length: 10 }, (_, j) => syntheticEvent(i * 10 + j)));
            appended += 10;
          }
        }),
      );
    }, 60_000);

    it('streams every event after `after`, in order, complete, whatever the page limit', async () => {
      const total = await api.eventCount();
      expect(appended).toBe(3_000);
      const res = await ndjson('/api/events?limit=5');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
      const lines = res.text.split('\n');
      expect(lines.pop()).toBe(''); // every line ends with a newline
      const events = lines.map((line) => JSON.parse(line));
      expect(events).toHaveLength(total);
      const positions = events.map((e) => e.globalPosition);
      for (let i = 1; i < positions.length; i++) expect(positions[i]).toBeGreaterThan(positions[i - 1]);
      expect(new Set(events.map((e) => e.id)).size).toBe(total);

      // The same entries as the JSON pages.
      const { body } = await api.as('auditor').get('/api/events?after=0&limit=3').expect(200);
      expect(events.slice(0, 3)).toEqual(body.events);

      const tail = await ndjson(`/api/events?after=${positions[total - 11]}`);
      expect(tail.text.trimEnd().split('\n').map((line) => JSON.parse(line).globalPosition)).toEqual(positions.slice(-10));
    });

    it('answers an empty tail with an empty body', async () => {
      const head = (await api.as('auditor').get('/api/events?limit=1').expect(200)).body.position;
      const res = await ndjson(`/api/events?after=${head}`);
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
    });
  });
});

describe('POST /api/audit/verifications', () => {
  it('finds the log intact, then reports a row edited with SQL at its stream, revision and position', async () => {
    const procedureCode = await registered();
    await api.http().post(`${procedurePath(procedureCode)}/reclassify`).send({ ...decision(), onlineMode: 'FULL_PROCESS' }).expect(200);

    const clean = await api.as('auditor').post('/api/audit/verifications').expect(200);
    const head = await api.eventCount();
    expect(clean.body).toEqual({
      ok: true,
      verifiedAt: expect.any(String),
      upToPosition: expect.any(Number),
      tamperEvidence: {
        ok: true,
        eventsChecked: head,
        streamsChecked: expect.any(Number),
        upToPosition: clean.body.upToPosition,
        chains: { ok: true, problemCount: 0, problems: [] },
        logDigest: { ok: true, checkpointsChecked: expect.any(Number), digest: expect.stringMatching(/^[0-9a-f]{64}$/), problemCount: 0, problems: [] },
      },
      // The read models' part (test/audit/read-model-verification.e2e.spec.ts tests it).
      readModels: expect.objectContaining({ ok: true, mismatchCount: 0, mismatches: [] }),
      eventsReplayed: expect.any(Number),
      // The projector is off here: the read models, the lineage included, know no unit yet.
      authoritiesChecked: 0,
      datesChecked: expect.any(Number),
      mismatches: [],
    });
    expect(clean.body.tamperEvidence.logDigest.checkpointsChecked).toBeGreaterThan(0);

    const [row] = await api.sql<{ global_position: string }>(
      `SELECT global_position FROM event_store.events WHERE stream_id = $1 AND stream_revision = 1`,
      [`procedure-74:${procedureCode}`],
    );
    await api.sql(`UPDATE event_store.events SET data = jsonb_set(data, '{to}', '"INFORMATION_ONLY"') WHERE global_position = $1`, [row.global_position]);

    const { body } = await api.as('administrator').post('/api/audit/verifications').set('X-Correlation-Id', 'audit-verify').expect(200);
    expect(body.ok).toBe(false);
    expect(body.tamperEvidence.chains.problems).toEqual([
      {
        streamId: `procedure-74:${procedureCode}`,
        revision: 1,
        globalPosition: Number(row.global_position),
        problem: 'hash-mismatch',
        expected: expect.stringMatching(/^[0-9a-f]{64}$/),
        found: expect.stringMatching(/^[0-9a-f]{64}$/),
        detail: expect.stringContaining('content'),
      },
    ]);
    expect(logLines).toContainEqual(expect.objectContaining({ level: 'warn', correlationId: 'audit-verify', chainProblems: 1 }));
  });
});

function syntheticEvent(n: number): NewEvent {
  return {
    id: randomUUID(),
    type: 'AuditTested',
    schemaVersion: 1,
    data: { n, text: 'Thủ tục hành chính 🇻🇳' },
    metadata: { actor: 'e2e', correlationId: 'audit-ndjson', causationId: null },
  };
}

/** A GET as an auditor accepting NDJSON, its body buffered as text. */
function ndjson(path: string) {
  return api
    .as('auditor')
    .get(path)
    .set('Accept', 'application/x-ndjson')
    .buffer(true)
    .parse((res, done) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => done(null, text));
    })
    .then((res) => Object.assign(res, { text: res.body as string }));
}
