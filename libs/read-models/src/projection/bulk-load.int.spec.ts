import { issueDecision, seedDemo, storeSetup } from '@tthc/application';
import { DomainError } from '@tthc/domain';
import { createReadModelHarness, type ReadModelHarness } from '../testing/read-model-harness.js';
import { appendRecordedAt, cmd, readModelInvariantViolations, replaySnapshot, snapshotReadModels } from '../testing/read-model-test-kit.js';
import { ReadModelVerifier } from '../verification/read-model-verifier.js';
import { LIVE_SCHEMA, quoteIdent, readModelTablesDdl } from '../schema/read-model.schema.js';
import { bulkLoadReadModels } from './bulk-load.js';
import { rebuildReadModels } from './rebuild.js';

// Issue 16: the rebuild's bulk writer must leave the very tables the live projector leaves.
const HN = '01';

describe("the rebuild's bulk writer", () => {
  let h: ReadModelHarness;
  let live: Awaited<ReturnType<typeof snapshotReadModels>>;
  const appended = new Map<string, number>();

  beforeAll(async () => {
    h = await createReadModelHarness();
    // The demo data: decisions of thousands of items, the 2025 merger (which discontinues the dissolved
    // units' procedures), the central agencies and the national facts.
    await seedDemo((decision, context) => issueDecision(h.store, decision, context), storeSetup(h.store));
    // Histories that change other than at their end, recorded at chosen instants (some at one instant).
    const T = (n: number) => `2027-01-0${n}T00:00:00.000Z`;
    const steps: [ReturnType<typeof cmd.register>, string][] = [
      [cmd.register(HN, '9.000001', 'PARTIAL', '2023-01-01'), T(1)],
      [cmd.register(HN, '9.000002', 'PARTIAL', '2023-01-01'), T(1)],
      [cmd.register(HN, '9.000003', 'PARTIAL', '2023-01-01'), T(1)],
      [cmd.register(HN, '9.000004', 'FULL_PROCESS', '2023-01-01'), T(1)],
      [cmd.disablePaper(HN, '9.000002', '2023-02-01'), T(1)],
      [cmd.reclassify(HN, '9.000001', 'FULL_PROCESS', '2023-06-01'), T(2)],
      [cmd.reclassify(HN, '9.000002', 'FULL_PROCESS', '2023-04-01'), T(2)],
      [cmd.reenablePaper(HN, '9.000002', '2023-08-01'), T(2)],
      [cmd.reclassify(HN, '9.000004', 'PARTIAL', '2023-03-01'), T(2)],
      [cmd.reclassify(HN, '9.000001', 'INFORMATION_ONLY', '2023-03-01'), T(3)], // late
      [cmd.correct(HN, '9.000001', 1, { effectiveFrom: '2023-05-01' }), T(4)],
      [cmd.rescind(HN, '9.000003', [0]), T(4)], // the registration itself
      [cmd.register(HN, '9.000003', 'FULL_PROCESS', '2023-09-01'), T(5)], // registered again
      [cmd.rescind(HN, '9.000001', [2]), T(5)],
      [cmd.reclassify(HN, '9.000001', 'PARTIAL', '2024-01-01'), T(6)], // a plain event after them
      [cmd.withdraw(HN, '9.000002', '2024-01-01'), T(6)],
      [cmd.correct(HN, '9.000004', 1, { onlineMode: 'INFORMATION_ONLY' }), T(6)],
      [cmd.reclassify(HN, '9.000004', 'FULL_PROCESS', '2024-02-01'), T(6)],
    ];
    const refused: string[] = [];
    for (const [command, at] of steps) {
      try {
        const { events } = await appendRecordedAt(h.store, command, at);
        for (const e of events) appended.set(e.type, (appended.get(e.type) ?? 0) + 1);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        refused.push(`${command.type} ${command.data.procedureCode}: ${error.message}`);
      }
    }
    expect(refused).toEqual([]);
    // The live projector, incrementally, in small batches.
    await h.runner({ batchSize: 97 }).catchUp();
    live = await snapshotReadModels(h.dataSource);
  }, 600_000);
  afterAll(() => h?.close());

  it('loads the same tables as the live projector, row for row, whatever the page size', async () => {
    expect(appended.get('TransitionCorrected')).toBe(2);
    expect(appended.get('TransitionRescinded')).toBe(2);
    expect(live.procedure_transitions.some((t) => t.superseded_by !== null)).toBe(true);
    expect(live.decisions.length).toBeGreaterThan(0);
    expect(live.national_facts.length).toBeGreaterThan(0);
    expect(live.authority_versions.length).toBeGreaterThan(63);
    for (const pageSize of [5000, 250, 7]) {
      expect(await replaySnapshot(h.dataSource, h.store, { writer: 'bulk', batchSize: pageSize })).toEqual(live);
    }
  }, 600_000);

  it('defers the procedures whose history changes other than at its end, and builds the same keys and indexes', async () => {
    const schema = 'read_model_bulk_spec';
    for (const statement of readModelTablesDdl(schema)) await h.dataSource.query(statement);
    try {
      const result = await bulkLoadReadModels(h.dataSource, h.store, schema, { pageSize: 1000 });
      expect(result.position).toBe(await h.store.headPosition());
      expect(result.deferredProcedures).toBeGreaterThanOrEqual(3);
      const indexes = async (s: string) =>
        (await h.dataSource.query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname`, [s])).map(
          (i: { indexname: string; indexdef: string }) => ({ ...i, indexdef: i.indexdef.replaceAll(quoteIdent(s), 'S').replaceAll(` ${s}.`, ' S.') }),
        );
      expect(await indexes(schema)).toEqual(await indexes(LIVE_SCHEMA));
      const [checkpoint] = await h.dataSource.query(`SELECT position FROM ${quoteIdent(schema)}.projection_checkpoints`);
      expect(Number(checkpoint.position)).toBe(result.position);
    } finally {
      await h.dataSource.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    }
  }, 600_000);

  it('rebuilds with it: the swapped-in tables equal the live ones, and the verifier finds them right', async () => {
    const result = await rebuildReadModels(h.dataSource, h.store, { batchSize: 500 });
    expect(result.phases).toBeDefined();
    expect(await snapshotReadModels(h.dataSource)).toEqual(live);
    expect(await readModelInvariantViolations(h.dataSource)).toEqual([]);
    expect((await new ReadModelVerifier(h.dataSource, h.store).verify()).mismatches).toEqual([]);
  }, 600_000);
});
