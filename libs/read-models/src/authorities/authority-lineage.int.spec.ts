import { seedNational, setupShippedAuthorities, shippedAuthorities, storeSetup } from '@tthc/application';
import { BOUNDARY_SETS } from '@tthc/domain';
import { rebuildReadModels } from '../projection/rebuild.js';
import { GetNationalSummaryHandler, GetNationalSummaryQuery } from '../queries/read-model.queries.js';
import { createReadModelHarness, type ReadModelHarness } from '../testing/read-model-harness.js';
import { snapshotReadModels } from '../testing/read-model-test-kit.js';
import { ReadModelVerifier } from '../verification/read-model-verifier.js';
import { loadLineageUnits } from './authority-lineage.projection.js';

/** mulberry32, so that a failing run names the seed that reproduces it. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const DAY = 86_400_000;
const randomDate = (random: () => number) => new Date(Date.UTC(2022, 11, 1) + Math.floor(random() * 1500) * DAY).toISOString().slice(0, 10);
const figures = ({ knownAt: _knownAt, ...rest }: Record<string, unknown>) => rest;

/*
 * The lineage read model on PostgreSQL: projected from the units' streams, replayed and verified,
 * rebuilt, and the totals invariant of the national table in either boundaries over random data and dates.
 */
describe('the lineage read model and the 2025 merger (issue 12)', () => {
  let h: ReadModelHarness;
  const seeds = [11, 2025];

  beforeAll(async () => {
    h = await createReadModelHarness(); // the 63 units established
    await setupShippedAuthorities(storeSetup(h.store), 'reorganisation', 'test');
    // Random national data over three years (2023-01-01 to 2025-12-31): the dissolved units' procedures
    // end on 2025-07-01, the hosts' go on. Two data sets, by two seeds, in two ranges of codes.
    for (const [i, seed] of seeds.entries()) await seedNational(h.store, { procedures: 3, years: 3, seed, concurrency: 8, firstCode: 1 + i * 1000 });
    await h.runner({ batchSize: 700 }).catchUp();
  }, 300_000);
  afterAll(() => h?.close());

  it('projects every unit with its versions: 63 units of 2023, 34 from 2025-07-01, 15 renamed Lào Cai over 10 and 15', async () => {
    const units = await loadLineageUnits((sql, params) => h.dataSource.query(sql, params), 'read_model');
    expect(units).toHaveLength(63);
    const lineage = await h.reader.lineage();
    expect(lineage.members('2023')).toEqual(shippedAuthorities().provinces2023.map((p) => p.code));
    expect(lineage.members('2025')).toEqual(shippedAuthorities().provinces2025.map((p) => p.code).sort());
    expect(lineage.versionOn('15', BOUNDARY_SETS['2025'])).toMatchObject({ name: 'Lào Cai', territory: ['10', '15'], absorbed: ['10'] });
    expect(lineage.versionOn('46', BOUNDARY_SETS['2025'])).toMatchObject({ name: 'Huế', kind: 'CITY' });
    expect(lineage.inForce(BOUNDARY_SETS['2025']).filter((u) => u.version.kind === 'CITY')).toHaveLength(6);
    expect(lineage.unit('74')).toMatchObject({ dissolvedOn: '2025-07-01', successorCode: '79' });
  });

  it('property: on any date the totals of the two boundary sets are equal and come from the catalogues in force, each once', async () => {
    const handler = new GetNationalSummaryHandler(h.reader);
    const lineage = await h.reader.lineage();
    for (const seed of seeds) {
      const random = prng(seed);
      const dates = [...Array.from({ length: 12 }, () => randomDate(random)), '2025-06-30', '2025-07-01'];
      for (const at of dates) {
        const [old, now] = await Promise.all([
          handler.execute(new GetNationalSummaryQuery(at, undefined, undefined, '2023')),
          handler.execute(new GetNationalSummaryQuery(at, undefined, undefined, '2025')),
        ]);
        expect({ seed, at, rows: [old.authorities.length, now.authorities.length] }).toEqual({ seed, at, rows: [63, 34] });
        expect({ seed, at, totals: figures(old.totals) }).toEqual({ seed, at, totals: figures(now.totals) });
        // The totals are the catalogues in force on the date, read directly, each once.
        const inForce = lineage.inForce(at).map((u) => u.unit.authorityCode);
        const { counts } = await h.reader.counts(inForce, { at });
        expect(old.totals.total).toBe([...counts.values()].reduce((n, c) => n + c.total, 0));
        // Before the merger the 2023 rows are the catalogues themselves; a 2025 row is the sum of its territory's.
        if (at < '2025-07-01') {
          expect(old.authorities.reduce((n, r) => n + r.total, 0)).toBe(old.totals.total);
          expect(now.authorities.reduce((n, r) => n + r.total, 0)).toBe(now.totals.total);
        }
      }
    }
  });

  it('the dissolved units have no procedure in force from 2025-07-01, in their own catalogue', async () => {
    const dissolved = shippedAuthorities().merger.filter((m) => m.oldCode !== m.newCode).map((m) => m.oldCode);
    const { counts } = await h.reader.counts(dissolved, { at: '2025-07-01' });
    expect([...counts.values()].every((c) => c.total === 0)).toBe(true);
    const before = await h.reader.counts(dissolved, { at: '2025-06-30' });
    expect([...before.counts.values()].every((c) => c.total > 0)).toBe(true);
  });

  it('replays and verifies across the merger: no mismatch, every unit compared with its stream', async () => {
    const report = await new ReadModelVerifier(h.dataSource, h.store).verify();
    expect(report).toMatchObject({ mismatchCount: 0, unitsChecked: 63, upToPosition: await h.store.headPosition() });
  });

  it('reports a lineage row that differs from its stream', async () => {
    await h.dataSource.query(`UPDATE read_model.authority_versions SET territory = ARRAY['79'] WHERE authority_code = '79' AND valid_from = '2025-07-01'`);
    try {
      const report = await new ReadModelVerifier(h.dataSource, h.store).verify();
      expect(report.mismatches).toEqual([expect.objectContaining({ authorityCode: '79', source: 'authorities', field: 'lineage' })]);
    } finally {
      await h.dataSource.query(`UPDATE read_model.authority_versions SET territory = ARRAY['74','77','79'] WHERE authority_code = '79' AND valid_from = '2025-07-01'`);
    }
  });

  it('a rebuild from the log gives the same read models, the lineage tables included', async () => {
    const before = await snapshotReadModels(h.dataSource);
    expect(before.authority_versions.length).toBeGreaterThan(63);
    await rebuildReadModels(h.dataSource, h.store, { batchSize: 500 });
    expect(await snapshotReadModels(h.dataSource)).toEqual(before);
  });
});
