import { PROBLEM_JSON, procedurePath, proceduresPath, registration, startApi, type ApiHarness } from '../support/api-app.js';

// Issue 15 over HTTP: a late decision, a correction and a rescission, with the figures before and
// after them, the events endpoint marking what was corrected and rescinded, and bad input refused.
// Quảng Ninh (22): no other test of this file records anything there, so its figures are exact.
const QN = '22';
const P = '1.002201';
const Q = '1.002202';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.close());

const path = (code: string) => procedurePath(code, QN);
const last = (body: { events: { globalPosition: number }[] }) => body.events[body.events.length - 1].globalPosition;
const summary = async (at: string, query: string) => {
  const res = await api.http().get(`/api/authorities/${QN}/summary?at=${at}&${query}`);
  if (res.status !== 200) throw new Error(`summary ${query}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
};
const streamLength = async (code: string) => (await api.http().get(`${path(code)}/events`).expect(200)).body.events.length;

describe('a correction told end to end', () => {
  let beforeCorrection: string;
  let correctedAt: number;

  beforeAll(async () => {
    await api.http().post(proceduresPath(QN)).send(registration({ procedureCode: P, onlineMode: 'PARTIAL', effectiveFrom: '2023-06-01' })).expect(201);
    await api.http().post(proceduresPath(QN)).send(registration({ procedureCode: Q, onlineMode: 'PARTIAL', effectiveFrom: '2023-06-01' })).expect(201);
    // Entered as full-process from 2023-08-20; the decision said 2023-09-15.
    await api.http().post(`${path(P)}/reclassify`).send({ onlineMode: 'FULL_PROCESS', effectiveFrom: '2023-08-20', decisionRef: 'QĐ 1900/QĐ-UBND' }).expect(200);
    await new Promise((r) => setTimeout(r, 5));
    beforeCorrection = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
  });

  it('POST …/corrections appends TransitionCorrected (If-Match, Idempotency-Key), and a repeat answers the same', async () => {
    const send = () =>
      api
        .http()
        .post(`${path(P)}/corrections`)
        .set('If-Match', '"1"')
        .set('Idempotency-Key', 'qn-correct-1')
        .send({ revision: 1, effectiveFrom: '2023-09-15', reason: 'Nhập nhầm ngày hiệu lực', correctionRef: 'CV 12/VP-UBND' });
    const res = await send().expect(200);
    expect(res.headers.etag).toBe('"2"');
    expect(res.body).toEqual({ streamId: `procedure-${QN}:${P}`, revision: 2, events: [{ type: 'TransitionCorrected', globalPosition: expect.any(Number) }] });
    correctedAt = last(res.body);
    const again = await send().expect(200);
    expect(again.body).toEqual(res.body);
    expect(await streamLength(P)).toBe(3);
  });

  it('the summary on 2023-09-01: full-process as known before the correction, partial as known now', async () => {
    // The projector must have caught up with the correction before "as known before it" is asked.
    expect((await summary('2023-09-01', `knownAt=${beforeCorrection}&afterPosition=${correctedAt}`)).fullProcess.count).toBe(1);
    const now = await summary('2023-09-01', `afterPosition=${correctedAt}`);
    expect([now.total, now.fullProcess.count, now.partial.count]).toEqual([2, 0, 2]);
    expect((await summary('2023-09-15', `afterPosition=${correctedAt}`)).fullProcess.count).toBe(1);
    const movement = (await api.http().get(`/api/authorities/${QN}/movement?from=2023-08-01&to=2023-08-31&afterPosition=${correctedAt}`).expect(200)).body;
    expect(movement.transitions.upgradedToFullProcess).toBe(0);
    const national = (await api.http().get(`/api/summary?at=2023-09-01&knownAt=${beforeCorrection}`).expect(200)).body;
    expect(national.authorities.find((a: { authorityCode: string }) => a.authorityCode === QN).fullProcess.count).toBe(1);
  });

  it('the state on 2023-09-01 as known before and after; the events endpoint marks the corrected event', async () => {
    expect((await api.http().get(`${path(P)}/state?at=2023-09-01&knownAt=${beforeCorrection}`).expect(200)).body.state.onlineMode).toBe('FULL_PROCESS');
    expect((await api.http().get(`${path(P)}/state?at=2023-09-01`).expect(200)).body.state.onlineMode).toBe('PARTIAL');
    const { events } = (await api.http().get(`${path(P)}/events`).expect(200)).body;
    expect(events.map((e: { type: string; correctedBy: number[]; rescindedBy: number | null }) => [e.type, e.correctedBy, e.rescindedBy])).toEqual([
      ['ProcedureRegistered', [], null],
      ['ProcedureUpgradedToFullProcess', [2], null],
      ['TransitionCorrected', [], null],
    ]);
    expect(events[2].data).toMatchObject({ corrects: { revision: 1, type: 'ProcedureUpgradedToFullProcess' }, correctedTo: { data: { effectiveFrom: '2023-09-15' } } });
  });

  it('a late decision that would make a later one illegal: 409 naming it, nothing appended', async () => {
    const res = await api
      .http()
      .post(`${path(P)}/reclassify`)
      .send({ onlineMode: 'FULL_PROCESS', effectiveFrom: '2023-09-01', decisionRef: 'QĐ 1800/QĐ-UBND' })
      .expect(409);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(res.body).toMatchObject({
      reason: 'CONFLICTS_WITH_LATER_TRANSITION',
      conflictsWith: { revision: 1, type: 'ProcedureUpgradedToFullProcess', effectiveFrom: '2023-09-15', decisionRef: 'QĐ 1900/QĐ-UBND', reason: 'ALREADY_IN_MODE' },
    });
    expect(await streamLength(P)).toBe(3);
  });

  it('a late decision that breaks nothing is accepted, and a rescission undoes it from its date, both marked', async () => {
    const late = await api.http().post(`${path(Q)}/disable-paper-intake`).send({ effectiveFrom: '2023-07-01', decisionRef: 'QĐ 1700/QĐ-UBND' }).expect(200);
    expect((await summary('2023-07-01', `afterPosition=${last(late.body)}`)).paperIntakeDisabled.count).toBe(1);
    const rescinded = await api.http().post(`${path(Q)}/rescissions`).send({ revisions: [1], decisionRef: 'QĐ 99/QĐ-UBND', reason: 'Bãi bỏ' }).expect(200);
    expect(rescinded.body.events).toEqual([{ type: 'TransitionRescinded', globalPosition: expect.any(Number) }]);
    expect((await summary('2023-07-01', `afterPosition=${last(rescinded.body)}`)).paperIntakeDisabled.count).toBe(0);
    const { events } = (await api.http().get(`${path(Q)}/events`).expect(200)).body;
    expect(events[1].rescindedBy).toBe(2);
    const twice = await api.http().post(`${path(Q)}/rescissions`).send({ revisions: [1], decisionRef: 'QĐ 100/QĐ-UBND' }).expect(409);
    expect(twice.body.reason).toBe('NOT_CORRECTABLE');
  });
});

describe('bad input on the correction endpoints: 400 naming the field, or 409/412, nothing appended', () => {
  const CODE = '1.002203';
  beforeAll(async () => {
    await api.http().post(proceduresPath(QN)).send(registration({ procedureCode: CODE, effectiveFrom: '2023-06-01' })).expect(201);
  });
  const valid = { revision: 0, effectiveFrom: '2023-05-01', reason: 'sai ngày' };

  it.each([
    ['revision', { ...valid, revision: -1 }],
    ['revision', { ...valid, revision: 1.5 }],
    ['revision', { ...valid, revision: '0' }],
    ['revision', { ...valid, revision: 1e9 }],
    ['revision', { effectiveFrom: '2023-05-01', reason: 'x' }],
    ['effectiveFrom', { ...valid, effectiveFrom: '2023-02-30' }],
    ['effectiveFrom', { ...valid, effectiveFrom: '01/05/2023' }],
    ['onlineMode', { ...valid, onlineMode: 'ONLINE' }],
    ['paperIntake', { ...valid, paperIntake: 'NONE' }],
    ['reason', { ...valid, reason: '' }],
    ['reason', { ...valid, reason: 'x'.repeat(2001) }],
    ['reason', { ...valid, reason: 'sai\u202Engày' }],
    ['reason', { revision: 0, effectiveFrom: '2023-05-01' }],
    ['correctionRef', { ...valid, correctionRef: null }],
    ['effectiveFrom', { revision: 0, reason: 'no right value' }],
    ['corrects', { ...valid, corrects: 0 }],
  ])('corrections: %s in %j', async (field, body) => {
    const before = await api.eventCount();
    const res = await api.http().post(`${path(CODE)}/corrections`).send(body).expect(400);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await api.eventCount()).toBe(before);
  });

  it.each([
    ['revisions', { revisions: [], decisionRef: 'QĐ 1' }],
    ['revisions', { revisions: [1, 1], decisionRef: 'QĐ 1' }],
    ['revisions', { revisions: 'all', decisionRef: 'QĐ 1' }],
    ['revisions', { revisions: [-1], decisionRef: 'QĐ 1' }],
    ['revisions', { revisions: Array.from({ length: 101 }, (_, i) => i), decisionRef: 'QĐ 1' }],
    ['decisionRef', { revisions: [0] }],
    ['decisionRef', { revisions: [0], decisionRef: '\u200B' }],
  ])('rescissions: %s in %j', async (field, body) => {
    const before = await api.eventCount();
    const res = await api.http().post(`${path(CODE)}/rescissions`).send(body).expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await api.eventCount()).toBe(before);
  });

  it('a revision the stream does not have, a stale If-Match, an unknown procedure', async () => {
    const before = await api.eventCount();
    expect((await api.http().post(`${path(CODE)}/corrections`).send({ ...valid, revision: 7 }).expect(409)).body.reason).toBe('NO_SUCH_EVENT');
    await api.http().post(`${path(CODE)}/corrections`).set('If-Match', '"5"').send(valid).expect(412);
    await api.http().post(`${path('1.002299')}/rescissions`).send({ revisions: [0], decisionRef: 'QĐ 1' }).expect(404);
    expect(await api.eventCount()).toBe(before);
  });
});

describe('a decision rescinded by a later one: every change it made undone from its effective date', () => {
  const [R1, R2, R3] = ['1.002204', '1.002205', '1.002206'];
  const decisionsPath = `/api/authorities/${QN}/decisions`;
  const counts = (s: { total: number; fullProcess: { count: number }; partial: { count: number }; informationOnly: { count: number } }) => [
    s.total,
    s.fullProcess.count,
    s.partial.count,
    s.informationOnly.count,
  ];
  let issuedAt: number;

  beforeAll(async () => {
    await api.http().post(proceduresPath(QN)).send(registration({ procedureCode: R1, onlineMode: 'PARTIAL', effectiveFrom: '2023-06-01' })).expect(201);
    await api.http().post(proceduresPath(QN)).send(registration({ procedureCode: R2, onlineMode: 'INFORMATION_ONLY', effectiveFrom: '2023-06-01' })).expect(201);
    await api.http().post(proceduresPath(QN)).send(registration({ procedureCode: R3, onlineMode: 'INFORMATION_ONLY', effectiveFrom: '2023-06-01' })).expect(201);
    const issued = await api
      .http()
      .post(decisionsPath)
      .send({
        number: '500/QĐ-UBND',
        issuedOn: '2023-09-25',
        effectiveFrom: '2023-10-01',
        items: [
          { procedureCode: R1, action: 'reclassify', onlineMode: 'FULL_PROCESS' },
          { procedureCode: R2, action: 'reclassify', onlineMode: 'PARTIAL' },
        ],
      })
      .expect(201);
    issuedAt = Math.max(...issued.body.items.flatMap((i: { events: { globalPosition: number }[] }) => i.events.map((e) => e.globalPosition)));
  });

  it('after the rescission, on 2023-10-15: one full-process fewer, one information-only more; as known before it, the old figures', async () => {
    const before = await summary('2023-10-15', `afterPosition=${issuedAt}`);
    await new Promise((r) => setTimeout(r, 5));
    const knownBefore = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const res = await api.http().post(`${decisionsPath}/${encodeURIComponent('500/QĐ-UBND')}/rescission`).send({ decisionRef: 'QĐ 600/QĐ-UBND', reason: 'Bãi bỏ' }).expect(200);
    expect(res.body).toMatchObject({ number: '500/QĐ-UBND', decisionRef: 'QĐ 600/QĐ-UBND', eventCount: 2 });
    const lastPosition = Math.max(...res.body.streams.flatMap((s: { events: { globalPosition: number }[] }) => s.events.map((e) => e.globalPosition)));
    const after = await summary('2023-10-15', `afterPosition=${lastPosition}`);
    const [t, f, p, i] = counts(before);
    expect(counts(after)).toEqual([t, f - 1, p, i + 1]);
    expect(counts(await summary('2023-10-15', `knownAt=${knownBefore}`))).toEqual([t, f, p, i]);
    // Before its effective date nothing changes.
    expect(counts(await summary('2023-09-30', `afterPosition=${lastPosition}`))).toEqual(counts(await summary('2023-09-30', `knownAt=${knownBefore}`)));
    const { events } = (await api.http().get(`${path(R1)}/events`).expect(200)).body;
    expect(events[1]).toMatchObject({ type: 'ProcedureUpgradedToFullProcess', rescindedBy: 2 });
    // Twice: nothing of it stands any more.
    const twice = await api.http().post(`${decisionsPath}/${encodeURIComponent('500/QĐ-UBND')}/rescission`).send({ decisionRef: 'QĐ 601/QĐ-UBND' }).expect(409);
    expect(twice.body.reason).toBe('NOT_CORRECTABLE');
  });

  it('refused, listing the procedure, when it would leave a later transition illegal; nothing appended', async () => {
    await api
      .http()
      .post(decisionsPath)
      .send({ number: '700/QĐ-UBND', issuedOn: '2023-10-25', effectiveFrom: '2023-11-01', items: [{ procedureCode: R3, action: 'reclassify', onlineMode: 'FULL_PROCESS' }] })
      .expect(201);
    await api.http().post(`${path(R3)}/disable-paper-intake`).send({ effectiveFrom: '2023-12-01', decisionRef: 'QĐ 800/QĐ-UBND' }).expect(200);
    const before = await api.eventCount();
    const res = await api.http().post(`${decisionsPath}/${encodeURIComponent('700/QĐ-UBND')}/rescission`).send({ decisionRef: 'QĐ 900/QĐ-UBND' }).expect(409);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(res.body.items).toEqual([expect.objectContaining({ procedureCode: R3, reason: 'CONFLICTS_WITH_LATER_TRANSITION' })]);
    expect(await api.eventCount()).toBe(before);
  });

  it('bad input: an unknown decision 404, a missing or hostile decisionRef 400', async () => {
    await api.http().post(`${decisionsPath}/${encodeURIComponent('1/QĐ-UBND')}/rescission`).send({ decisionRef: 'QĐ 1' }).expect(404);
    for (const body of [{}, { decisionRef: '' }, { decisionRef: 'a\u202Eb' }, { decisionRef: 'x'.repeat(201) }, { decisionRef: 'QĐ 1', extra: 1 }]) {
      await api.http().post(`${decisionsPath}/${encodeURIComponent('500/QĐ-UBND')}/rescission`).send(body).expect(400);
    }
  });
});
