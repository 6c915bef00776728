import { binhDuongSeedDecisions, issueDecision, seedBinhDuong } from '@tthc/application';
import { rebuildReadModels } from '../projection/rebuild.js';
import { createReadModelHarness, type ReadModelHarness } from '../testing/read-model-harness.js';
import { snapshotReadModels } from '../testing/read-model-test-kit.js';
import { migrateReadModels } from '../read-model.data-source.js';
import { ReadModelVerifier } from '../verification/read-model-verifier.js';
import { ListDecisionsHandler, ListDecisionsQuery } from './decisions.queries.js';

/*
 * The decisions read model on PostgreSQL: the Bình Dương scenario's five decisions projected (in
 * batches smaller than a decision, so that a decision's record and its items' events fall in different
 * batches), listed, verified against a replay, rebuilt, and filled in by its migration on a database
 * projected before it.
 */
describe('the decisions read model (issue 13)', () => {
  let h: ReadModelHarness;
  const list = (options: ConstructorParameters<typeof ListDecisionsQuery>[1] = {}) =>
    new ListDecisionsHandler(h.reader).execute(new ListDecisionsQuery('74', options));

  beforeAll(async () => {
    h = await createReadModelHarness();
    await seedBinhDuong((decision, context) => issueDecision(h.store, decision, context));
    await h.runner({ batchSize: 300 }).catchUp();
  }, 120_000);
  afterAll(() => h?.close());

  it('projects one row per decision with the change it made, and lists them by effective date', async () => {
    const page = await list();
    const headers = binhDuongSeedDecisions().map((d) => d.data);
    expect(page).toMatchObject({ authorityCode: '74', authorityName: 'Bình Dương', total: 5, by: 'effectiveFrom', position: await h.store.headPosition() });
    expect(page.items.map((d) => [d.number, d.effectiveFrom, d.itemCount])).toEqual(headers.map((d) => [d.number, d.effectiveFrom, d.items.length]));
    // The README's table: 1,893 registered; 100 to partial; 59 to full; 97 to partial and 3 withdrawn; 40 paperless.
    expect(page.items.map((d) => d.effect)).toEqual([
      { total: 1893, fullProcess: 697, partial: 692, informationOnly: 504, paperIntakeDisabled: 731 },
      { total: 0, fullProcess: 0, partial: 100, informationOnly: -100, paperIntakeDisabled: 0 },
      { total: 0, fullProcess: 59, partial: -59, informationOnly: 0, paperIntakeDisabled: 0 },
      { total: -3, fullProcess: 0, partial: 97, informationOnly: -100, paperIntakeDisabled: 0 },
      { total: 0, fullProcess: 0, partial: 0, informationOnly: 0, paperIntakeDisabled: 40 },
    ]);
    expect(page.items[0]).toMatchObject({ issuer: { authorityCode: '74', authorityName: 'Bình Dương' }, eventCount: 1893, actor: 'seed' });
  });

  it('ranges, pages and answers as of a position', async () => {
    expect((await list({ from: '2023-08-20', to: '2023-09-10' })).items.map((d) => d.number)).toEqual(['1900/QĐ-UBND', '2100/QĐ-UBND']);
    expect((await list({ from: '2023-09-05', to: '2023-09-05', by: 'issuedOn' })).items.map((d) => d.number)).toEqual(['2100/QĐ-UBND']);
    expect(await list({ page: 3, pageSize: 2 })).toMatchObject({ total: 5, items: [{ number: '2400/QĐ-UBND' }] });
    const third = (await list()).items[2];
    const asOf = await list({ asOfPosition: third.globalPosition });
    expect(asOf).toMatchObject({ total: 3, asOfPosition: third.globalPosition, position: third.globalPosition, knownAt: null });
  });

  it('verifies against a replay: every decision, its record and its row against what its events did', async () => {
    const report = await new ReadModelVerifier(h.dataSource, h.store).verify();
    expect(report).toMatchObject({ mismatchCount: 0, decisionsChecked: 5 });
  });

  it('reports a row that differs from its decision, and a row the log does not hold', async () => {
    await h.dataSource.query(`UPDATE read_model.decisions SET effect_partial = effect_partial + 1 WHERE number = '1900/QĐ-UBND'`);
    await h.dataSource.query(
      `INSERT INTO read_model.decisions SELECT authority_code, '9/QĐ-UBND', issued_on, effective_from, title, item_count, event_count, annex_digest,
              effect_total, effect_full_process, effect_partial, effect_information_only, effect_paper_intake_disabled,
              stream_id, gen_random_uuid(), actor, recorded_at, position
       FROM read_model.decisions WHERE number = '2400/QĐ-UBND'`,
    );
    try {
      const report = await new ReadModelVerifier(h.dataSource, h.store).verify();
      expect(report.mismatches).toEqual([
        { authorityCode: '74', decisionNumber: '1900/QĐ-UBND', source: 'decisions', field: 'effect.partial', expected: -59, found: -58 },
        { authorityCode: '74', decisionNumber: '9/QĐ-UBND', source: 'decisions', field: 'row', expected: 'absent', found: 'present' },
      ]);
    } finally {
      await h.dataSource.query(`UPDATE read_model.decisions SET effect_partial = effect_partial - 1 WHERE number = '1900/QĐ-UBND'`);
      await h.dataSource.query(`DELETE FROM read_model.decisions WHERE number = '9/QĐ-UBND'`);
    }
  });

  it('rebuilds to the same rows', async () => {
    const before = await snapshotReadModels(h.dataSource, 'read_model', { compact: true });
    await rebuildReadModels(h.dataSource, h.store, { batchSize: 1000 });
    const after = await snapshotReadModels(h.dataSource, 'read_model', { compact: true });
    expect(after.decisions).toHaveLength(5);
    expect(after).toEqual(before);
  });

  it('its migration fills in, from the log, the decisions a database projected before it already holds', async () => {
    const before = await snapshotReadModels(h.dataSource);
    await h.dataSource.query(`DROP TABLE read_model.decisions`);
    await h.dataSource.query(`DELETE FROM read_model_migrations WHERE name = 'ReadModelsDecisions1732900000000'`);
    expect(await migrateReadModels(h.dataSource)).toEqual(['ReadModelsDecisions1732900000000']);
    expect(await snapshotReadModels(h.dataSource)).toEqual(before);
  });
});
