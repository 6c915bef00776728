import { PROBLEM_JSON, startApi, type ApiHarness } from '../support/api-app.js';

// Decisions over HTTP on a real PostgreSQL: JSON and CSV annexes, preview, all-or-nothing, idempotency
// by number, the audit trail both ways, and verification of the log and read models afterwards.

let api: ApiHarness;
const HCM = '79';
const path = `/api/authorities/${HCM}/decisions`;
const code = (i: number) => `9.${String(i).padStart(6, '0')}`;
const enc = (n: string) => encodeURIComponent(n);

beforeAll(async () => {
  api = await startApi();
  // 20 procedures, partial, by one decision sent as JSON.
  const items = Array.from({ length: 20 }, (_, i) => ({ procedureCode: code(i), action: 'register', name: `Thủ tục tổng hợp ${i}`, onlineMode: 'PARTIAL' }));
  await api.http().post(path).send({ number: '100/QĐ-UBND', issuedOn: '2025-07-01', effectiveFrom: '2025-07-01', title: 'Công bố danh mục', items }).expect(201);
}, 60_000);

afterAll(async () => {
  await api?.close();
});

const csv = (rows: string[]) => Buffer.from(`procedureCode,action,onlineMode,reason\n${rows.join('\n')}\n`, 'utf8');
const postCsv = (body: Buffer, query: string) => api.http().post(`${path}?${query}`).set('Content-Type', 'text/csv').send(body);
const header = (number: string, date = '2025-08-01') => `number=${enc(number)}&issuedOn=${date}&effectiveFrom=${date}`;

describe('POST /authorities/{a}/decisions', () => {
  it('previews with dryRun: every item, the counts before and after, nothing appended', async () => {
    const before = await api.eventCount();
    const { body } = await postCsv(csv([`${code(0)},reclassify,FULL_PROCESS,`, `${code(1)},reclassify,PARTIAL,`, `${code(2)},withdraw,,Bãi bỏ`]), `${header('150/QĐ-UBND')}&dryRun=true`).expect(200);
    expect(body).toMatchObject({
      dryRun: true,
      accepted: false,
      effect: { total: -1, fullProcess: 1, partial: -2, informationOnly: 0, paperIntakeDisabled: 0 },
      summary: { before: { total: 20, partial: 20, fullProcess: 0 }, after: { total: 19, partial: 18, fullProcess: 1 } },
    });
    expect(body.items.map((i: { line: number; outcome: string; reason?: string }) => [i.line, i.outcome, i.reason])).toEqual([
      [2, 'accepted', undefined],
      [3, 'refused', 'ALREADY_IN_MODE'],
      [4, 'accepted', undefined],
    ]);
    expect(await api.eventCount()).toBe(before);
  });

  it('issues a CSV annex (with a BOM) atomically, and answers a repeat with the first record', async () => {
    const annex = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), csv([`${code(3)},reclassify,FULL_PROCESS,Nâng cấp`, `${code(4)},disable-paper-intake,,`])]);
    const first = await postCsv(annex, header('151/QĐ-UBND')).expect(201);
    expect(first.body).toMatchObject({
      number: '151/QĐ-UBND',
      streamId: 'decision-79:151/QĐ-UBND',
      itemCount: 2,
      eventCount: 2,
      atomic: true,
      effect: { fullProcess: 1, partial: -1, paperIntakeDisabled: 1 },
      items: [
        { index: 0, procedureCode: code(3), action: 'reclassify', reason: 'Nâng cấp', events: [{ type: 'ProcedureUpgradedToFullProcess', revision: 1 }] },
        { index: 1, procedureCode: code(4), events: [{ type: 'PaperIntakeDisabled', revision: 1 }] },
      ],
    });
    const count = await api.eventCount();
    const again = await postCsv(annex, header('151/QĐ-UBND')).expect(200);
    expect(again.body).toEqual(first.body);
    // The same decision as JSON is the same content.
    await api.http().post(path).send({ number: '151/QĐ-UBND', issuedOn: '2025-08-01', effectiveFrom: '2025-08-01', items: [
      { procedureCode: code(3), action: 'reclassify', onlineMode: 'FULL_PROCESS', reason: 'Nâng cấp' },
      { procedureCode: code(4), action: 'disable-paper-intake' },
    ] }).expect(200);
    const other = await postCsv(csv([`${code(5)},withdraw,,`]), header('151/QĐ-UBND')).expect(409);
    expect(other.body.type).toMatch(/decision-number-taken$/);
    expect(await api.eventCount()).toBe(count);
  });

  it('appends nothing when one item is refused, listing every refused item with its line and reason', async () => {
    const before = await api.eventCount();
    const rows = Array.from({ length: 15 }, (_, i) => `${code(5 + i)},reclassify,INFORMATION_ONLY,`);
    rows[7] = `${code(12)},reclassify,PARTIAL,`;
    rows.push(`${code(99)},withdraw,,`);
    const { body, headers } = await postCsv(csv(rows), header('152/QĐ-UBND')).expect(409);
    expect(headers['content-type']).toMatch(PROBLEM_JSON);
    expect(body.type).toMatch(/decision-refused$/);
    expect(body.items).toEqual([
      { index: 7, line: 9, procedureCode: code(12), reason: 'ALREADY_IN_MODE', message: 'Procedure is already PARTIAL' },
      { index: 15, line: 17, procedureCode: code(99), reason: 'PROCEDURE_NOT_FOUND', message: `Procedure ${code(99)} is not registered for authority 79` },
    ]);
    expect(await api.eventCount()).toBe(before);
    await api.http().get(`${path}/${enc('152/QĐ-UBND')}`).expect(404);
  });

  it.each([
    ['an unknown column', Buffer.from(`procedureCode,action,mode\n${code(1)},withdraw,\n`), /line 1: unknown column 'mode'/],
    ['a missing column', Buffer.from(`procedureCode,onlineMode\n${code(1)},PARTIAL\n`), /line 1: the column 'action' is missing/],
    ['a quote left open', Buffer.from(`procedureCode,action,reason\n${code(1)},withdraw,ok\n${code(2)},withdraw,"never closed\n`), /line 3: a quoted field is never closed/],
    ['a row of the wrong width', Buffer.from(`procedureCode,action\n${code(1)},withdraw\n${code(2)},withdraw,extra\n`), /line 3: this row has a different number of fields than the header/],
    ['a mixed encoding', Buffer.concat([Buffer.from(`procedureCode,action,reason\n${code(1)},withdraw,Bãi bỏ\n${code(2)},withdraw,B`), Buffer.from([0xe3, 0x69]), Buffer.from(' b\n')]), /line 3: not UTF-8/],
    ['an empty annex', Buffer.from('procedureCode,action\n'), /lists no items/],
  ])('refuses %s with 400 naming the line, appending nothing', async (_, annex, message) => {
    const before = await api.eventCount();
    const { body } = await postCsv(annex, header('153/QĐ-UBND')).expect(400);
    expect(body.errors.map((e: { message: string }) => e.message).join('\n')).toMatch(message);
    expect(await api.eventCount()).toBe(before);
  });

  it('refuses an annex of more than 100,000 rows with 413 naming the limit, at its first row over it, appending nothing', async () => {
    const before = await api.eventCount();
    // 150,000 rows: the parser stops at row 100,001 (line 100,002), so the rest is never read.
    const annex = Buffer.from(`procedureCode,action\n${`${code(1)},withdraw\n`.repeat(150_000)}`);
    const { body, headers } = await postCsv(annex, header('153/QĐ-UBND')).expect(413);
    expect(headers['content-type']).toMatch(PROBLEM_JSON);
    expect(body).toMatchObject({
      type: 'https://tthc-ledger.dev/problems/decision-too-large',
      status: 413,
      limit: 100_000,
      errors: [{ field: 'body', line: 100_002, message: 'must list at most 100,000 items' }],
    });
    expect(body.detail).toMatch(/at most 100,000 items; the annex has more \(line 100002 is row 100,001\)/);
    expect(await api.eventCount()).toBe(before);
  });

  it('refuses a JSON decision of 100,001 items with 413 naming the limit and the count, previewed or not', async () => {
    const items = Array.from({ length: 100_001 }, (_, i) => ({ procedureCode: code(i), action: 'withdraw' }));
    const decision = { number: '156/QĐ-UBND', issuedOn: '2025-08-01', effectiveFrom: '2025-08-01', items };
    for (const query of ['', '?dryRun=true']) {
      const { body } = await api.http().post(`${path}${query}`).send(decision).expect(413);
      expect(body).toMatchObject({ limit: 100_000, errors: [{ field: 'items', message: 'must list at most 100,000 items' }] });
      expect(body.detail).toMatch(/this one has 100,001/);
    }
  });

  it('refuses duplicate procedure codes and unknown actions naming line and field', async () => {
    const { body } = await postCsv(csv([`${code(1)},withdraw,,`, `${code(2)},promote,,`, `${code(1)},withdraw,,`]), header('154/QĐ-UBND')).expect(400);
    expect(body.errors).toEqual([
      { field: 'line 3: action', line: 3, message: 'must be one of register, reclassify, disable-paper-intake, reenable-paper-intake, withdraw' },
      { field: 'line 4: procedureCode', line: 4, message: `${code(1)} already appears at items[0]: a decision changes a procedure once` },
    ]);
  });

  it('refuses a JSON body with unknown fields or header fields in the query', async () => {
    const body = { number: '155/QĐ-UBND', issuedOn: '2025-08-01', effectiveFrom: '2025-08-01', items: [{ procedureCode: code(1), action: 'withdraw' }] };
    const unknown = await api.http().post(path).send({ ...body, signer: 'x' }).expect(400);
    expect(unknown.body.errors).toEqual([{ field: 'signer', message: 'is not a field of a decision' }]);
    await api.http().post(`${path}?number=1`).send(body).expect(400);
  });
});

describe('the audit trail, both ways', () => {
  it('GET …/decisions/{number} lists each item with its events; each procedure event names the decision as cause', async () => {
    const { body: record } = await api.http().get(`${path}/${enc('151/QĐ-UBND')}`).expect(200);
    expect(record).toMatchObject({ number: '151/QĐ-UBND', actor: 'test-administrator', itemCount: 2 });
    const { body: stream } = await api.http().get(`/api/authorities/${HCM}/procedures/${code(3)}/events`).expect(200);
    const upgrade = stream.events.find((e: { type: string }) => e.type === 'ProcedureUpgradedToFullProcess');
    expect(upgrade.data.decisionRef).toBe('151/QĐ-UBND');
    expect(upgrade.causationId).toBe(record.eventId);
    expect(upgrade.globalPosition).toBe(record.items[0].events[0].globalPosition);
    await api.http().get(`${path}/${enc('999/QĐ-UBND')}`).expect(404);
    await api.http().get(`${path}/not-a-number`).expect(400);
  });

  it('each procedure event and each transition of the state on a date names the recorded decision it came from', async () => {
    const [{ body: registered }, { body: upgraded }] = await Promise.all([
      api.http().get(`${path}/${enc('100/QĐ-UBND')}`).expect(200),
      api.http().get(`${path}/${enc('151/QĐ-UBND')}`).expect(200),
    ]);
    const link = (r: { number: string; streamId: string; eventId: string; globalPosition: number }) =>
      ({ number: r.number, streamId: r.streamId, eventId: r.eventId, globalPosition: r.globalPosition });
    const { body: stream } = await api.http().get(`/api/authorities/${HCM}/procedures/${code(3)}/events`).expect(200);
    expect(stream.events.map((e: { type: string; decision: unknown }) => [e.type, e.decision])).toEqual([
      ['ProcedureRegistered', link(registered)],
      ['ProcedureUpgradedToFullProcess', link(upgraded)],
    ]);
    const { body: state } = await api.http().get(`/api/authorities/${HCM}/procedures/${code(3)}/state?at=2025-08-01`).expect(200);
    expect(state.transitions).toEqual([
      { revision: 0, type: 'ProcedureRegistered', effectiveFrom: '2025-07-01', recordedAt: expect.any(String), decisionRef: '100/QĐ-UBND', decision: link(registered) },
      { revision: 1, type: 'ProcedureUpgradedToFullProcess', effectiveFrom: '2025-08-01', recordedAt: expect.any(String), decisionRef: '151/QĐ-UBND', decision: link(upgraded) },
    ]);
    // Before the upgrade took effect, only the registration is considered.
    const { body: earlier } = await api.http().get(`/api/authorities/${HCM}/procedures/${code(3)}/state?at=2025-07-15`).expect(200);
    expect(earlier.transitions.map((t: { decision: { number: string } }) => t.decision.number)).toEqual(['100/QĐ-UBND']);
    // A single command that only cites a decision's number did not come from it.
    const single = `9.${String(900).padStart(6, '0')}`;
    await api.http().post(`/api/authorities/${HCM}/procedures`).send({
      procedureCode: single, name: 'Thủ tục đăng ký riêng', onlineMode: 'PARTIAL', effectiveFrom: '2025-09-01', decisionRef: '151/QĐ-UBND',
    }).expect(201);
    const { body: own } = await api.http().get(`/api/authorities/${HCM}/procedures/${single}/events`).expect(200);
    expect(own.events).toEqual([expect.objectContaining({ type: 'ProcedureRegistered', decision: null })]);
  });

  it('keeps the log verifiable and the read models equal to a replay', async () => {
    const { body } = await api.http().post('/api/audit/verifications').expect(200);
    expect(body.ok).toBe(true);
    const { body: summary } = await api.http().get(`/api/authorities/${HCM}/summary?at=2025-08-01&afterPosition=${body.upToPosition}`).expect(200);
    expect(summary).toMatchObject({ total: 20, fullProcess: { count: 1 }, partial: { count: 19 }, paperIntakeDisabled: { count: 1 } });
  });
});

describe('GET /authorities/{a}/decisions (the decisions read model)', () => {
  let first: { globalPosition: number; recordedAt: string };
  let second: { globalPosition: number };
  const numbers = (body: { items: { number: string }[] }) => body.items.map((i) => i.number);

  beforeAll(async () => {
    first = (await api.http().get(`${path}/${enc('100/QĐ-UBND')}`).expect(200)).body;
    second = (await api.http().get(`${path}/${enc('151/QĐ-UBND')}`).expect(200)).body;
  });

  it('lists the decisions dated in [from, to] with their dates, issuer, counts, digest and the change each made', async () => {
    const { body } = await api.http().get(`${path}?from=2025-07-01&to=2025-08-01&afterPosition=${second.globalPosition}`).expect(200);
    expect(body).toMatchObject({ authorityCode: HCM, from: '2025-07-01', to: '2025-08-01', by: 'effectiveFrom', page: 1, pageSize: 50, total: 2 });
    expect(body.position).toBeGreaterThanOrEqual(second.globalPosition);
    expect(body.items).toEqual([
      {
        number: '100/QĐ-UBND',
        issuedOn: '2025-07-01',
        effectiveFrom: '2025-07-01',
        issuer: { authorityCode: HCM, authorityName: expect.any(String) },
        title: 'Công bố danh mục',
        itemCount: 20,
        eventCount: 20,
        annexDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
        effect: { total: 20, fullProcess: 0, partial: 20, informationOnly: 0, paperIntakeDisabled: 0 },
        streamId: 'decision-79:100/QĐ-UBND',
        eventId: expect.any(String),
        globalPosition: first.globalPosition,
        recordedAt: first.recordedAt,
        actor: 'test-administrator',
      },
      expect.objectContaining({ number: '151/QĐ-UBND', title: null, itemCount: 2, effect: { total: 0, fullProcess: 1, partial: -1, informationOnly: 0, paperIntakeDisabled: 1 } }),
    ]);
    // The same figures as the decision's own record.
    const { body: record } = await api.http().get(`${path}/${enc('151/QĐ-UBND')}`).expect(200);
    expect(body.items[1]).toMatchObject({ eventId: record.eventId, annexDigest: record.annexDigest, effect: record.effect });
  });

  it('ranges on the issued-on date with by=issuedOn, and leaves either end open', async () => {
    const only = await api.http().get(`${path}?from=2025-07-02&by=issuedOn&afterPosition=${second.globalPosition}`).expect(200);
    expect(numbers(only.body)).toEqual(['151/QĐ-UBND']);
    expect(only.body).toMatchObject({ from: '2025-07-02', to: null, by: 'issuedOn' });
    const before = await api.http().get(`${path}?to=2025-07-31`).expect(200);
    expect(numbers(before.body)).toEqual(['100/QĐ-UBND']);
    const none = await api.http().get(`${path}?from=2030-01-01`).expect(200);
    expect(none.body).toMatchObject({ total: 0, items: [] });
  });

  it('pages like the other lists: a page past the last is empty and still counts them all', async () => {
    const second = await api.http().get(`${path}?pageSize=1&page=2`).expect(200);
    expect(second.body).toMatchObject({ page: 2, pageSize: 1, total: 2 });
    expect(numbers(second.body)).toEqual(['151/QĐ-UBND']);
    const past = await api.http().get(`${path}?pageSize=1&page=3`).expect(200);
    expect(past.body).toMatchObject({ page: 3, total: 2, items: [] });
  });

  it('answers as recorded at knownAt, or as the log stood at asOfPosition', async () => {
    const known = await api.http().get(`${path}?knownAt=${encodeURIComponent(first.recordedAt)}`).expect(200);
    expect(numbers(known.body)).toEqual(['100/QĐ-UBND']);
    expect(known.body.knownAt).toBe(first.recordedAt);
    const asOf = await api.http().get(`${path}?asOfPosition=${first.globalPosition}`).expect(200);
    expect(asOf.body).toMatchObject({ knownAt: null, asOfPosition: first.globalPosition, position: first.globalPosition, total: 1 });
    const now = await api.http().get(path).expect(200);
    expect(now.body.knownAt).toEqual(expect.any(String));
    expect(now.body.asOfPosition).toBeUndefined();
  });

  it.each([
    ['a malformed date', '?from=2025-02-30', 'from', /real calendar date/],
    ['a date that is no date', '?to=tomorrow', 'to', /real calendar date/],
    ['from after to', '?from=2025-08-02&to=2025-08-01', 'to', /must not be before from/],
    ['an unknown date field', '?by=signedOn', 'by', /must be one of effectiveFrom, issuedOn/],
    ['page 0', '?page=0', 'page', /must be an integer from 1 to 100000/],
    ['a page beyond the bound', '?page=100001', 'page', /must be an integer from 1 to 100000/],
    ['pageSize 501', '?pageSize=501', 'pageSize', /must be an integer from 1 to 500/],
    ['a page that is no integer', '?page=1.5', 'page', /must be an integer/],
    ['knownAt with asOfPosition', '?knownAt=2025-08-01T00:00:00Z&asOfPosition=1', 'asOfPosition', /cannot be combined with knownAt/],
    ['a malformed knownAt', '?knownAt=yesterday', 'knownAt', /ISO-8601 instant/],
    ['an unknown parameter', '?at=2025-08-01', 'at', /./],
  ])('refuses %s with 400 naming the field', async (_, query, field, message) => {
    const { body, headers } = await api.http().get(`${path}${query}`).expect(400);
    expect(headers['content-type']).toMatch(PROBLEM_JSON);
    const error = body.errors.find((e: { field: string }) => e.field === field);
    expect(error?.message).toMatch(message);
  });

  it('answers an unknown authority with 404, a malformed code with 400', async () => {
    const { body } = await api.http().get('/api/authorities/99/decisions').expect(404);
    expect(body.type).toMatch(/unknown-authority$/);
    await api.http().get('/api/authorities/7x/decisions').expect(400);
  });
});
