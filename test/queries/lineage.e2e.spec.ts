import { CommandBus } from '@nestjs/cqrs';
import { BINH_DUONG_FIGURES, HO_CHI_MINH_FIGURES, IssueDecisionCommand, UNITS_2023_SYNTHETIC, commandBusSetup, seedDemo } from '@tthc/application';
import { PROJECTION_RUNNER, type ProjectionRunner } from '@tthc/read-models';
import { PROBLEM_JSON, registration, startApi, type ApiHarness } from '../support/api-app.js';

/*
 * Issue 12 over HTTP: the demo data to the present (74, 77, 79 across the 2025 merger, through the
 * command bus), and every query in either set of boundaries, at and around 2025-06-30 / 2025-07-01.
 */
let api: ApiHarness;
let head = 0;

const counts = (s: { total: number; fullProcess: { count: number }; partial: { count: number }; informationOnly: { count: number } }) => ({
  total: s.total,
  fullProcess: s.fullProcess.count,
  partial: s.partial.count,
  informationOnly: s.informationOnly.count,
});

beforeAll(async () => {
  api = await startApi();
  const bus = api.app.get(CommandBus);
  // The api's first start set up the units and the 2025 reorganisation: the demo's second sending of
  // the reorganisation discontinues the 74 and 77 procedures it registers before the merger.
  const result = await seedDemo((decision, context) => bus.execute(new IssueDecisionCommand(decision, context)), commandBusSetup(bus));
  expect(result.proceduresDiscontinued).toBe(1890 + 1700);
  head = await api.eventCount();
  expect(await api.app.get<ProjectionRunner>(PROJECTION_RUNNER).waitForPosition(result.lastPosition, 120_000)).toBe(true);
}, 300_000);

afterAll(async () => {
  await api?.close();
});

const get = async (path: string) => (await api.as('viewer').get(path).expect(200)).body;
/** A total without the moment it was answered at. */
const figures = ({ knownAt: _knownAt, ...rest }: Record<string, unknown>) => rest;

describe('the published figures', () => {
  it('Bình Dương 2023 (2023 boundaries) and the merged Hồ Chí Minh City 2025 (2025 boundaries), exactly', async () => {
    for (const [at, f] of Object.entries(BINH_DUONG_FIGURES)) {
      const s = await get(`/api/authorities/74/summary?at=${at}&boundaries=2023`);
      expect({ ...counts(s), paperIntakeDisabled: s.paperIntakeDisabled.count }).toEqual(f);
      expect(s).toMatchObject({ boundaries: '2023', authorityName: 'Bình Dương' });
    }
    for (const [at, f] of Object.entries(HO_CHI_MINH_FIGURES)) {
      const s = await get(`/api/authorities/79/summary?at=${at}&boundaries=2025`);
      expect(counts(s)).toMatchObject(f);
      expect(s.boundaries).toBe('2025');
      expect(s.composedOf).toBeUndefined();
    }
  });
});

describe('boundaries at and around the merger', () => {
  const before = '2025-06-30';
  const after = '2025-07-01';

  it('a 2025 unit before the merger answers for its whole territory, composed of 74, 77 and 79', async () => {
    const [city, bd, vt, hcm] = await Promise.all([
      get(`/api/authorities/79/summary?at=${before}&boundaries=2025`),
      get(`/api/authorities/74/summary?at=${before}&boundaries=2023`),
      get(`/api/authorities/77/summary?at=${before}&boundaries=2023`),
      get(`/api/authorities/79/summary?at=${before}&boundaries=2023`),
    ]);
    expect(city.composedOf).toEqual(['74', '77', '79']);
    expect(city.total).toBe(bd.total + vt.total + hcm.total);
    expect(city.total).toBe(1890 + UNITS_2023_SYNTHETIC['77'].total + UNITS_2023_SYNTHETIC['79'].total);
    expect(city.fullProcess.count).toBe(bd.fullProcess.count + vt.fullProcess.count + hcm.fullProcess.count);
    // On 2023-06-01, by default (the set in force then: 2023) 79 is its own territory only.
    expect(await get('/api/authorities/79/summary?at=2023-06-01')).toMatchObject({ boundaries: '2023', total: UNITS_2023_SYNTHETIC['79'].total });
  });

  it('a 2023 unit after its dissolution answers with its successor, labelled dissolvedOn and servedBy', async () => {
    const [own, served] = await Promise.all([
      get(`/api/authorities/74/summary?at=${before}&boundaries=2023`),
      get(`/api/authorities/74/summary?at=${after}&boundaries=2023`),
    ]);
    expect(own).toMatchObject({ total: 1890, boundaries: '2023' });
    expect(own.servedBy).toBeUndefined();
    expect(served).toMatchObject({ total: 2357, boundaries: '2023', servedBy: '79', dissolvedOn: '2025-07-01', authorityName: 'Bình Dương' });
    // By default on a date after the merger 74, a unit of 2023 only, answers in 2023 boundaries.
    expect(await get('/api/authorities/74/summary?at=2026-11-30')).toMatchObject({ boundaries: '2023', servedBy: '79', total: 2251 });
  });

  it('a unit of one set asked in the other is a 404 naming its lineage', async () => {
    const res = await api.as('viewer').get('/api/authorities/74/summary?at=2023-06-01&boundaries=2025').expect(404);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(res.body).toMatchObject({ type: expect.stringMatching(/not-in-boundaries$/), authorityCode: '74', boundaries: '2025' });
    expect(res.body.detail).toContain('dissolved into 79 on 2025-07-01');
  });

  it('the movement of Bình Dương from 2023-06-01 to the present: its own figures, the lineage step, the figures serving it now', async () => {
    const m = await get('/api/authorities/74/movement?from=2023-06-01&to=2026-11-30');
    expect(m.boundaries).toBe('2023');
    expect(counts(m.from)).toEqual({ total: 1893, fullProcess: 697, partial: 692, informationOnly: 504 });
    expect(counts(m.to)).toEqual({ total: 2251, fullProcess: 1778, partial: 218, informationOnly: 255 });
    expect(m.to).toMatchObject({ servedBy: '79', dissolvedOn: '2025-07-01' });
    expect(m.delta.total).toBe(2251 - 1893);
    expect(m.lineage).toEqual([{ effectiveFrom: '2025-07-01', successorCode: '79', successorName: 'Hồ Chí Minh', predecessors: ['74', '77'], legalBasis: 'Nghị quyết 202/2025/QH15' }]);
    // Per catalogue: 74's own until its dissolution (its procedures discontinued on it), 79's from the merger.
    expect(m.transitionsByAuthority.map((t: { authorityCode: string; from: string; to: string }) => [t.authorityCode, t.from, t.to])).toEqual([
      ['74', '2023-06-01', '2025-07-01'],
      ['79', '2025-06-30', '2026-11-30'],
    ]);
    const [bd, city] = m.transitionsByAuthority;
    expect(bd.transitions).toMatchObject({ upgradedToFullProcess: 59, upgradedToPartial: 197, withdrawn: 3, discontinued: 1890 });
    expect(city.transitions).toMatchObject({ registered: 357 + 83, withdrawn: 189, upgradedToFullProcess: 273 + 122 });
    expect(m.transitions.discontinued).toBe(1890);
    expect(m.transitions.registered).toBe(bd.transitions.registered + city.transitions.registered);
  });

  it('the national table: 63 rows in 2023 boundaries, 34 in 2025, and the same totals from real catalogues on either side of the merger', async () => {
    for (const at of ['2023-06-01', before, after, '2026-11-30']) {
      const [old, now] = await Promise.all([get(`/api/summary?at=${at}&boundaries=2023`), get(`/api/summary?at=${at}&boundaries=2025`)]);
      expect([old.authorities.length, now.authorities.length, old.boundaries, now.boundaries]).toEqual([63, 34, '2023', '2025']);
      expect(figures(old.totals)).toEqual(figures(now.totals));
      // In 2023 boundaries after the merger 74, 77 and 79 all show the city's catalogue; the total counts it once.
      const rows = Object.fromEntries(old.authorities.map((r: { authorityCode: string }) => [r.authorityCode, r]));
      if (at >= after) expect([rows['74'].total, rows['77'].total, rows['79'].total]).toEqual([rows['79'].total, rows['79'].total, rows['79'].total]);
      expect(old.totals.total).toBe(now.authorities.reduce((n: number, r: { total: number }) => n + r.total, 0));
    }
  });

  it('GET /api/authorities lists the units of a set on a date with their lineage', async () => {
    const list = await get('/api/authorities?at=2026-11-30&boundaries=2025');
    expect(list.authorities).toHaveLength(34);
    const city = list.authorities.find((a: { authorityCode: string }) => a.authorityCode === '79');
    expect(city.lineage).toMatchObject({ kind: 'CITY', validFrom: '2025-07-01', validTo: null, territory: ['74', '77', '79'], predecessors: ['74', '77'], successorCode: null });
    const laoCai = list.authorities.find((a: { authorityCode: string }) => a.authorityCode === '15');
    expect(laoCai).toMatchObject({ authorityName: 'Lào Cai', lineage: { territory: ['10', '15'], predecessors: ['10'] } });
    const old = await get('/api/authorities?at=2023-06-01');
    expect(old.boundaries).toBe('2023');
    expect(old.authorities.find((a: { authorityCode: string }) => a.authorityCode === '15')).toMatchObject({
      authorityName: 'Yên Bái',
      lineage: { validTo: '2025-07-01', successorCode: null },
    });
    expect(old.authorities.find((a: { authorityCode: string }) => a.authorityCode === '74').lineage).toMatchObject({ successorCode: '79', dissolvedOn: '2025-07-01' });
  });

  it('the procedure list of a 2025 unit before the merger lists its predecessors\' procedures, each with its catalogue', async () => {
    const page = await get(`/api/authorities/79/procedures?at=${before}&boundaries=2025&pageSize=500`);
    expect(page).toMatchObject({ boundaries: '2025', composedOf: ['74', '77', '79'], total: 1890 + 1700 + 2000 });
    expect(new Set(page.items.map((i: { authorityCode: string }) => i.authorityCode))).toEqual(new Set(['74']));
    const served = await get(`/api/authorities/74/procedures?at=${after}&boundaries=2023&pageSize=1`);
    expect(served).toMatchObject({ servedBy: '79', dissolvedOn: '2025-07-01', total: 2357 });
  });
});

describe('a dissolved unit', () => {
  it('refuses commands effective on or after its dissolution with 409 naming the successor, appending nothing', async () => {
    const count = await api.eventCount();
    const res = await api.http().post('/api/authorities/74/procedures').send(registration({ procedureCode: '1.009999', effectiveFrom: '2025-07-01' })).expect(409);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(res.body).toMatchObject({ type: expect.stringMatching(/authority-dissolved$/), successorCode: '79', dissolvedOn: '2025-07-01' });
    await api.http().post('/api/authorities/74/procedures/9.000001/reclassify').send({ onlineMode: 'FULL_PROCESS', effectiveFrom: '2026-01-01', decisionRef: 'x' }).expect(409);
    expect(await api.eventCount()).toBe(count);
  });

  it("its procedures' streams say why they ended", async () => {
    const { body } = await api.as('auditor').get('/api/authorities/74/procedures/9.000001/events').expect(200);
    expect(body.events.at(-1)).toMatchObject({
      type: 'ProcedureDiscontinued',
      data: { effectiveFrom: '2025-07-01', successorCode: '79', decisionRef: 'Nghị quyết 202/2025/QH15' },
      causationId: expect.any(String),
    });
  });
});

describe('replay and verification across the merger', () => {
  it('the audit verification replays every event and finds the read models, the lineage included, as the log says', async () => {
    const { body } = await api.as('auditor').post('/api/audit/verifications').expect(200);
    expect(body).toMatchObject({ ok: true, mismatches: [], readModels: { ok: true, mismatchCount: 0, unitsChecked: 63, upToPosition: head } });
  });
});

describe('an administrator records a future reorganisation', () => {
  const future = { successorCode: '20', predecessorCodes: ['04'], effectiveFrom: '2027-01-01', legalBasis: 'Nghị quyết 1/2026/QH16 (giả định, thử nghiệm)' };

  it('is refused with 400 naming the fields when malformed, appending nothing', async () => {
    const count = await api.eventCount();
    const res = await api.http().post('/api/authorities/reorganisations').send({ successorCode: '2', predecessorCodes: [], effectiveFrom: '2027-02-30' }).expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['effectiveFrom', 'legalBasis', 'predecessorCodes', 'successorCode']);
    await api.http().post('/api/authorities/reorganisations').send({ ...future, predecessorCodes: ['74'] }).expect(409);
    expect(await api.eventCount()).toBe(count);
  });

  it('is recorded once (sent again, it appends nothing), and queries follow it from its date', async () => {
    const first = await api.http().post('/api/authorities/reorganisations').send(future).expect(201);
    expect(first.body).toMatchObject({ successorCode: '20', effectiveFrom: '2027-01-01', proceduresDiscontinued: 0 });
    expect(first.body.streams.map((s: { streamId: string; events: { type: string }[] }) => [s.streamId, s.events.map((e) => e.type)])).toEqual([
      ['authority-04', ['AuthorityMerged']],
      ['authority-20', ['AuthorityAbsorbed']],
    ]);
    const again = await api.http().post('/api/authorities/reorganisations').send(future).expect(201);
    expect(again.body.streams.every((s: { events: unknown[] }) => s.events.length === 0)).toBe(true);
    const last = Math.max(...first.body.streams.flatMap((s: { events: { globalPosition: number }[] }) => s.events.map((e) => e.globalPosition)));
    const cao = await get(`/api/authorities/04/summary?at=2027-01-01&boundaries=2025&afterPosition=${last}`);
    expect(cao).toMatchObject({ servedBy: '20', dissolvedOn: '2027-01-01' });
    const [old, now] = await Promise.all([get('/api/summary?at=2027-06-01&boundaries=2023'), get('/api/summary?at=2027-06-01&boundaries=2025')]);
    expect(figures(old.totals)).toEqual(figures(now.totals));
    await api.http().post('/api/authorities/04/procedures').send(registration({ procedureCode: '1.009998', effectiveFrom: '2027-01-01' })).expect(409);
  });

  it('needs an administrator', async () => {
    await api.as('viewer').post('/api/authorities/reorganisations').send(future).expect(403);
  });
});
