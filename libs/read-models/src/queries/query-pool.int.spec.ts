import pg from 'pg';
import { createReadModelHarness, type ReadModelHarness } from '../testing/read-model-harness.js';
import { cmd } from '../testing/read-model-test-kit.js';
import { queryPoolOptions, QueryTimedOut } from './query-pool.js';
import { pooledReads, QueryRouter } from './query-routing.js';
import { ReadModelReader } from './read-model.reader.js';
import { GetAuthoritySummaryHandler, GetAuthoritySummaryQuery, ListProceduresHandler, ListProceduresQuery } from './read-model.queries.js';

/** The query handlers' own pool (issue 16): bounded, read-only sessions; the same answers as on the DataSource. */
describe('the query pool', () => {
  let h: ReadModelHarness;
  let pool: pg.Pool;
  let router: QueryRouter;
  const A = '48';

  beforeAll(async () => {
    h = await createReadModelHarness();
    for (const [code, mode] of [['1.400001', 'FULL_PROCESS'], ['1.400002', 'PARTIAL'], ['1.400003', 'INFORMATION_ONLY']] as const) {
      await h.execute(cmd.register(A, code, mode, '2024-01-01'));
    }
    await h.runner().catchUp();
    pool = new pg.Pool({ ...queryPoolOptions({ statementTimeoutMs: 200, lockTimeoutMs: 50 }), connectionString: h.db.url, max: 2 });
    router = new QueryRouter(pooledReads(pool), undefined, { fallback: 'primary' });
  });

  afterAll(async () => {
    await pool.end();
    await h.close();
  });

  it('answers as the DataSource does', async () => {
    const onPool = new ReadModelReader(router);
    const summary = new GetAuthoritySummaryQuery(A, '2024-06-01');
    const list = new ListProceduresQuery(A, { at: '2024-06-01', page: 1, pageSize: 2 });
    const knownAt = new GetAuthoritySummaryQuery(A, '2024-06-01', new Date().toISOString());
    // Without knownAt an answer states the instant it was asked at: all else must be the same.
    const now = await new GetAuthoritySummaryHandler(h.reader).execute(summary);
    expect(await new GetAuthoritySummaryHandler(onPool).execute(summary)).toEqual({ ...now, knownAt: expect.any(String) });
    expect(await new GetAuthoritySummaryHandler(onPool).execute(knownAt)).toEqual(await new GetAuthoritySummaryHandler(h.reader).execute(knownAt));
    const page = await new ListProceduresHandler(h.reader).execute(list);
    expect(page.items).toHaveLength(2);
    expect(await new ListProceduresHandler(onPool).execute(list)).toEqual({ ...page, knownAt: expect.any(String) });
  });

  it('ends a statement past its bound with QueryTimedOut', async () => {
    await expect(router.query('SELECT pg_sleep(5)')).rejects.toBeInstanceOf(QueryTimedOut);
    // The connection is usable again at once.
    expect(await router.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('ends a wait for a lock past the lock bound with QueryTimedOut', async () => {
    const ddl = await h.pool.connect();
    try {
      await ddl.query('BEGIN');
      await ddl.query('LOCK TABLE read_model.authority_daily_summaries IN ACCESS EXCLUSIVE MODE');
      const error = await router.query('SELECT count(*) FROM read_model.authority_daily_summaries').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QueryTimedOut);
      expect((error as QueryTimedOut).message).toMatch(/lock/);
    } finally {
      await ddl.query('ROLLBACK');
      ddl.release();
    }
  });

  it('is read-only', async () => {
    await expect(router.query(`UPDATE read_model.projection_checkpoints SET updated_at = now()`)).rejects.toMatchObject({ code: '25006' });
  });
});
