import { seedNational } from '@tthc/application';
import type { DataSource } from 'typeorm';
import { createReadModelHarness, type ReadModelHarness } from '../testing/read-model-harness.js';
import { appendRecordedAt, cmd, snapshotReadModels } from '../testing/read-model-test-kit.js';
import { migrateReadModels, READ_MODEL_MIGRATIONS } from '../read-model.data-source.js';
import { LIVE_SCHEMA, quoteIdent, readModelTablesDdl } from './read-model.schema.js';

/** Columns (in order, with types, nullability and defaults), indexes and constraints of a schema's tables, schema name left out. */
async function shapeOf(dataSource: DataSource, schema: string) {
  const columns = await dataSource.query(
    `SELECT table_name, column_name, data_type, is_nullable, column_default
     FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position`,
    [schema],
  );
  const indexes: { tablename: string; indexdef: string }[] = await dataSource.query(
    `SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY tablename, indexdef`,
    [schema],
  );
  const constraints = await dataSource.query(
    `SELECT c.conrelid::regclass::text AS table_name, c.contype, pg_get_constraintdef(c.oid) AS definition
     FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = $1
     ORDER BY 1, 2, 3`,
    [schema],
  );
  const strip = (text: string) => text.split(`${quoteIdent(schema)}.`).join('').split(`${schema}.`).join('');
  return {
    columns,
    // Index names are generated from the table and column names only: compare the definitions.
    indexes: indexes.map((i) => ({ table: i.tablename, definition: strip(i.indexdef).replace(/INDEX \S+ ON/, 'INDEX ON') })).sort((a, b) =>
      `${a.table}${a.definition}`.localeCompare(`${b.table}${b.definition}`),
    ),
    constraints: constraints.map((c: { table_name: string; contype: string; definition: string }) => ({ ...c, table_name: strip(c.table_name) })),
  };
}

describe('the read-model schema: one DDL, the migrations and the rebuild agree', () => {
  let h: ReadModelHarness;
  beforeAll(async () => {
    h = await createReadModelHarness();
  }, 60_000);
  afterAll(() => h?.close());

  it('has every migration applied on a fresh database', async () => {
    const rows = await h.dataSource.query(`SELECT name FROM read_model_migrations ORDER BY id`);
    expect(rows.map((r: { name: string }) => r.name)).toEqual(READ_MODEL_MIGRATIONS.map((m) => new m().name));
  });

  it('ends a fresh database (every migration in turn) in exactly the shape a rebuild creates', async () => {
    const beside = 'shape_check';
    for (const statement of readModelTablesDdl(beside)) await h.dataSource.query(statement);
    try {
      const live = await shapeOf(h.dataSource, LIVE_SCHEMA);
      expect(live.columns.length).toBeGreaterThan(30);
      expect(live.columns).toContainEqual(
        expect.objectContaining({ table_name: 'procedure_status_intervals', column_name: 'recorded_from_position', is_nullable: 'NO' }),
      );
      expect(await shapeOf(h.dataSource, beside)).toEqual(live);
    } finally {
      await h.dataSource.query(`DROP SCHEMA ${quoteIdent(beside)} CASCADE`);
    }
  });

  it('reshapes the list index of a database made before it was ordered by procedure code, and leaves the new shape alone', async () => {
    const definition = async () =>
      (await h.dataSource.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = 'read_model' AND indexname = 'procedure_status_intervals_current_idx'`))[0]
        ?.indexdef as string | undefined;
    const fresh = await definition();
    expect(fresh).toMatch(/\(authority_code, procedure_code, valid_from\) INCLUDE \(valid_to, online_mode, paper_intake\) WHERE \(recorded_to IS NULL\)$/);
    // As 1733200000000 left it.
    await h.dataSource.query(`DROP INDEX read_model.procedure_status_intervals_current_idx`);
    await h.dataSource.query(
      `CREATE INDEX procedure_status_intervals_current_idx ON read_model.procedure_status_intervals (authority_code, valid_from)
         INCLUDE (valid_to, procedure_code, online_mode, paper_intake) WHERE recorded_to IS NULL`,
    );
    await h.dataSource.query(`DELETE FROM read_model_migrations WHERE name = 'ReadModelsListIndex1733300000000'`);
    expect(await migrateReadModels(h.dataSource)).toEqual(['ReadModelsListIndex1733300000000']);
    expect(await definition()).toBe(fresh);
    // Already in the new shape (a fresh database): nothing dropped or built again.
    const [{ oid }] = await h.dataSource.query(`SELECT 'read_model.procedure_status_intervals_current_idx'::regclass::oid AS oid`);
    await h.dataSource.query(`DELETE FROM read_model_migrations WHERE name = 'ReadModelsListIndex1733300000000'`);
    expect(await migrateReadModels(h.dataSource)).toEqual(['ReadModelsListIndex1733300000000']);
    const [{ oid: after }] = await h.dataSource.query(`SELECT 'read_model.procedure_status_intervals_current_idx'::regclass::oid AS oid`);
    expect(after).toBe(oid);
  });

  describe('upgrading a database projected before the log positions were kept', () => {
    /** Puts the live schema back as it was before the migration: without its columns, and the migration not applied. */
    const downgrade = async () => {
      await h.dataSource.query(
        `ALTER TABLE read_model.procedure_status_intervals DROP COLUMN recorded_from_position, DROP COLUMN recorded_to_position`,
      );
      await h.dataSource.query(`ALTER TABLE read_model.procedures DROP COLUMN open_recorded_from_position`);
      await h.dataSource.query(`DELETE FROM read_model_migrations WHERE name = 'ReadModelsLogPositions1732700000000'`);
    };

    beforeAll(async () => {
      await seedNational(h.store, { procedures: 4, years: 1, concurrency: 8 });
      // Decisions of two events and transitions recorded at their own later instants, too.
      await h.execute(cmd.register('31', '1.500001', 'FULL_PROCESS', '2024-01-01', 'DISABLED'));
      await h.execute(cmd.reclassify('31', '1.500001', 'INFORMATION_ONLY', '2024-05-01'));
      await appendRecordedAt(h.store, cmd.register('56', '1.400001', 'INFORMATION_ONLY', '2023-01-01'), '2023-01-05T03:00:00.000Z');
      await appendRecordedAt(h.store, cmd.reclassify('56', '1.400001', 'PARTIAL', '2023-06-01'), '2023-07-10T02:00:00.000Z');
      await appendRecordedAt(h.store, cmd.withdraw('56', '1.400001', '2023-09-01'), '2023-08-01T02:00:00.000Z');
      await h.runner({ batchSize: 97 }).catchUp();
    }, 60_000);

    it("fills the movement's pre-aggregation from the transitions exactly as the projector writes it", async () => {
      const projected = await snapshotReadModels(h.dataSource);
      expect(projected.authority_daily_transitions.length).toBeGreaterThan(20);
      await h.dataSource.query(`DROP TABLE read_model.authority_daily_transitions`);
      await h.dataSource.query(`DELETE FROM read_model_migrations WHERE name = 'ReadModelsDailyTransitions1733400000000'`);
      expect(await migrateReadModels(h.dataSource)).toEqual(['ReadModelsDailyTransitions1733400000000']);
      expect(await snapshotReadModels(h.dataSource)).toEqual(projected);
    });

    it('fills the new columns from the log exactly as the projector writes them', async () => {
      const projected = await snapshotReadModels(h.dataSource);
      expect(projected.procedure_status_intervals.some((r) => r.recorded_to_position !== null)).toBe(true);
      await downgrade();
      expect(await migrateReadModels(h.dataSource)).toEqual(['ReadModelsLogPositions1732700000000']);
      expect(await snapshotReadModels(h.dataSource)).toEqual(projected);
    });

    it('empties the read models for a replay when the log is not in the same database', async () => {
      await downgrade();
      await h.dataSource.query(`ALTER SCHEMA event_store RENAME TO event_store_elsewhere`);
      try {
        expect(await migrateReadModels(h.dataSource)).toEqual(['ReadModelsLogPositions1732700000000']);
      } finally {
        await h.dataSource.query(`ALTER SCHEMA event_store_elsewhere RENAME TO event_store`);
      }
      const emptied = await snapshotReadModels(h.dataSource);
      expect(Object.values(emptied).every((rows) => rows.length === 0)).toBe(true);
      await h.runner({ batchSize: 500 }).catchUp();
      const [{ n }] = await h.dataSource.query(`SELECT count(*)::int AS n FROM read_model.procedure_status_intervals`);
      expect(n).toBeGreaterThan(100);
    });
  });
});
