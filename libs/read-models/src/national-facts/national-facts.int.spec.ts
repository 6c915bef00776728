import { NATIONAL_FACTS_FIGURES, handleNationalFactCommand, nationalFactsSeedCommands, setupShippedAuthorities, storeSetup } from '@tthc/application';
import { rebuildReadModels } from '../projection/rebuild.js';
import { createReadModelHarness, type ReadModelHarness } from '../testing/read-model-harness.js';
import { snapshotReadModels } from '../testing/read-model-test-kit.js';
import { ReadModelVerifier } from '../verification/read-model-verifier.js';
import { loadLineageUnits } from '../authorities/authority-lineage.projection.js';
import { migrateReadModels } from '../read-model.data-source.js';
import { GetAgencyFactsHandler, GetAgencyFactsQuery, GetNationalFactsHandler, GetNationalFactsQuery } from './national-facts.queries.js';

const context = { actor: 'test', correlationId: 'national-facts-test' };

/*
 * The national facts read model on PostgreSQL (issue 18): the demo data's figures on their dates,
 * the bitemporal axes, replay and verification, and a rebuild.
 */
describe('the national facts read model (issue 18)', () => {
  let h: ReadModelHarness;
  let national: GetNationalFactsHandler;
  let beforeFacts: number;

  beforeAll(async () => {
    h = await createReadModelHarness(); // the 63 units established
    await setupShippedAuthorities(storeSetup(h.store), 'reorganisation', 'test');
    beforeFacts = await h.store.headPosition();
    const results = await storeSetup(h.store).authorities(nationalFactsSeedCommands(), context);
    await catchUpTo(Math.max(...results.flatMap((r) => r.events.map((e) => e.globalPosition))));
    national = new GetNationalFactsHandler(h.dataSource);
  }, 120_000);
  afterAll(() => h?.close());

  /** On a shared server the visible head may lag an append (older transactions still open): project until it is reached. */
  const catchUpTo = async (position: number) => {
    const runner = h.runner({ batchSize: 100 });
    while ((await runner.checkpoint()) < position) {
      await runner.catchUp();
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('reproduces the article on 2023-10-16: 37/76 systems (48.68 %), 15 ministries and 63/63 localities connected', async () => {
    const answer = await national.execute(new GetNationalFactsQuery('2023-10-16'));
    const f = NATIONAL_FACTS_FIGURES['2023-10-16'];
    expect(answer.procedureHandlingSystems).toMatchObject({ ...f.systems, requirements: 'Thông tư 21/2023/TT-BTTTT' });
    expect(answer.populationDatabase.byKind).toEqual({
      ministries: { ...f.ministries, share: 68.18 },
      localities: { ...f.localities, share: 100 },
    });
  });

  it('answers the later reports on their dates: 18 ministries and 63 localities by 2024-08-31, 34/34 after the merger', async () => {
    const y2024 = await national.execute(new GetNationalFactsQuery('2024-08-31'));
    expect(y2024.populationDatabase.byKind.ministries).toMatchObject(NATIONAL_FACTS_FIGURES['2024-08-31'].ministries);
    expect(y2024.populationDatabase.byKind.localities).toMatchObject(NATIONAL_FACTS_FIGURES['2024-08-31'].localities);
    const merged = await national.execute(new GetNationalFactsQuery('2025-07-01'));
    expect(merged.populationDatabase.byKind.localities).toEqual({ count: 34, total: 34, share: 100 });
    // The dissolved units' assessments end with them: 22 of the 47 still in force (7/13 agencies, 15/34 localities).
    expect(merged.procedureHandlingSystems).toMatchObject({ count: 22, total: 47, share: 46.81 });
    const eve = await national.execute(new GetNationalFactsQuery('2025-06-30'));
    expect(eve.populationDatabase.byKind.localities).toEqual({ count: 63, total: 63, share: 100 });
    // Before any assessment: nothing assessed, a share of 0 of 0.
    expect((await national.execute(new GetNationalFactsQuery('2023-10-15'))).procedureHandlingSystems).toMatchObject({ count: 0, total: 0, share: 0 });
  });

  it('as of a position or an instant before the facts were recorded, none is known', async () => {
    const before = await national.execute(new GetNationalFactsQuery('2023-10-16', undefined, beforeFacts));
    expect(before).toMatchObject({ position: beforeFacts, asOfPosition: beforeFacts, knownAt: null });
    expect(before.procedureHandlingSystems.total).toBe(0);
    expect(before.populationDatabase.byKind).toEqual({ ministries: { count: 0, total: 0, share: 0 }, localities: { count: 0, total: 63, share: 0 } });
    const longAgo = await national.execute(new GetNationalFactsQuery('2023-10-16', '2020-01-01T00:00:00Z'));
    expect(longAgo.populationDatabase.total).toBe(0);
  });

  it('one agency: its assessment and connection on a date; a dissolved unit is no longer in force', async () => {
    const agencies = new GetAgencyFactsHandler(h.dataSource);
    const b = await agencies.execute(new GetAgencyFactsQuery('B05', '2024-08-31'));
    expect(b).toMatchObject({ authorityCode: 'B05', name: 'Bộ Tư pháp', kind: 'MINISTRY', inForce: true, establishedFrom: '2021-07-28', dissolvedOn: null });
    const bd = await agencies.execute(new GetAgencyFactsQuery('74', '2025-07-01'));
    expect(bd).toMatchObject({ inForce: false, dissolvedOn: '2025-07-01', populationDatabase: { connected: false } });
    expect((await agencies.execute(new GetAgencyFactsQuery('74', '2023-10-16'))).populationDatabase.connected).toBe(true);
    await expect(agencies.execute(new GetAgencyFactsQuery('B99'))).rejects.toThrow(/B99/);
  });

  it('central agencies stay out of the lineage of provincial-level units', async () => {
    const units = await loadLineageUnits((sql, params) => h.dataSource.query(sql, params), 'read_model');
    expect(units).toHaveLength(63);
  });

  it('replays and verifies: no mismatch; a changed row is reported', async () => {
    const report = await new ReadModelVerifier(h.dataSource, h.store).verify();
    expect(report.mismatches.slice(0, 2)).toEqual([]);
    expect(report).toMatchObject({ mismatchCount: 0, unitsChecked: 63 });
    expect(report.nationalFactsChecked).toBe(85 + 76 + 63 + 18);
    await h.dataSource.query(`UPDATE read_model.national_facts SET meets_all_requirements = NOT meets_all_requirements WHERE position = (SELECT max(position) FROM read_model.national_facts WHERE fact = 'ASSESSED')`);
    try {
      const tampered = await new ReadModelVerifier(h.dataSource, h.store).verify();
      expect(tampered.mismatches).toEqual([expect.objectContaining({ source: 'national_facts', field: 'fact' })]);
    } finally {
      await h.dataSource.query(`UPDATE read_model.national_facts SET meets_all_requirements = NOT meets_all_requirements WHERE position = (SELECT max(position) FROM read_model.national_facts WHERE fact = 'ASSESSED')`);
    }
  });

  it('a fact recorded later projects; a rebuild from the log gives the same tables', async () => {
    const result = await handleNationalFactCommand(h.store, { type: 'AssessProcedureSystem', data: { authorityCode: '79', assessedOn: '2025-08-01', meetsAllRequirements: true, source: 'test' } }, context);
    expect(result.events).toHaveLength(1);
    await catchUpTo(result.events[0].globalPosition);
    const after = await new GetAgencyFactsHandler(h.dataSource).execute(new GetAgencyFactsQuery('79', '2025-08-01'));
    expect(after.procedureHandlingSystem).toMatchObject({ assessedOn: '2025-08-01', meetsAllRequirements: true, source: 'test' });
    const before = await snapshotReadModels(h.dataSource);
    expect(before.national_facts.length).toBe(76 + 63 + 18 + 1);
    await rebuildReadModels(h.dataSource, h.store, { batchSize: 50 });
    expect(await snapshotReadModels(h.dataSource)).toEqual(before);
  });
});

describe('the national facts migration on a database projected before it (issue 18)', () => {
  let h: ReadModelHarness;
  beforeAll(async () => {
    h = await createReadModelHarness(); // the 63 units
    await setupShippedAuthorities(storeSetup(h.store), 'reorganisation', 'test');
    const head = await h.store.headPosition();
    const runner = h.runner({ batchSize: 100 });
    while ((await runner.checkpoint()) < head) await runner.catchUp();
  }, 120_000);
  afterAll(() => h?.close());

  it('fills the authorities from the log exactly as the projector writes them', async () => {
    const projected = await snapshotReadModels(h.dataSource);
    expect(projected.national_fact_authorities).toHaveLength(63);
    await h.dataSource.query('DROP TABLE read_model.national_facts, read_model.national_fact_authorities');
    await h.dataSource.query(`DELETE FROM read_model_migrations WHERE name = 'ReadModelsNationalFacts1733100000000'`);
    expect(await migrateReadModels(h.dataSource)).toEqual(['ReadModelsNationalFacts1733100000000']);
    expect(await snapshotReadModels(h.dataSource)).toEqual(projected);
  });
});
