import type { DataSource } from 'typeorm';
import { READ_MODEL_DATA_SOURCE } from '@tthc/read-models';
import { ProblemDetailsFilter } from '../../apps/api/src/problem-details.filter.js';
import { PROBLEM_JSON, freshProcedureCode, proceduresPath, registration, startApi, type ApiHarness } from '../support/api-app.js';

// PostgreSQL refusing a statement for want of resources (disk full and its kin) is answered 503 with
// what ran out, never 500. The full disk here is SIMULATED: a trigger on the event table raises
// SQLSTATE 53100 as PostgreSQL does when a file cannot be extended, so that the test needs no tiny
// file system. What follows the error in the api is the real path.

describe('database out of resources (simulated by a trigger raising the SQLSTATE)', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi();
  }, 60_000);
  afterAll(() => api?.close());

  it('answers a command 503 database-resources with reason DISK_FULL and appends nothing, then succeeds once "space is freed"', async () => {
    await api.sql(`
      CREATE FUNCTION public.simulate_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'could not extend file "base/1/2": No space left on device (simulated)' USING ERRCODE = 'disk_full';
      END $$;
      CREATE TRIGGER simulate_disk_full BEFORE INSERT ON event_store.events FOR EACH ROW EXECUTE FUNCTION public.simulate_disk_full();`);
    const before = await api.eventCount();
    const body = registration({ procedureCode: freshProcedureCode() });

    const res = await api.http().post(proceduresPath()).send(body);
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).toEqual({
      type: 'https://tthc-ledger.dev/problems/database-resources',
      title: 'Service unavailable',
      status: 503,
      detail: 'Nothing was done: the database server is out of disk space (SQLSTATE 53100); retry once an operator has freed it',
      reason: 'DISK_FULL',
      sqlState: '53100',
    });
    expect(await api.eventCount()).toBe(before);

    await api.sql('DROP TRIGGER simulate_disk_full ON event_store.events');
    const retried = await api.http().post(proceduresPath()).send(body);
    expect(retried.status).toBe(201);
    expect(await api.eventCount()).toBe(before + 1);
  });

  it.each([
    ['out_of_memory', '53200', 'OUT_OF_MEMORY'],
    ['insufficient_resources', '53000', 'INSUFFICIENT_RESOURCES'],
    ['configuration_limit_exceeded', '53400', 'CONFIGURATION_LIMIT_EXCEEDED'],
    ['io_error', '58030', 'IO_ERROR'],
    ['system_error', '58000', 'SYSTEM_ERROR'],
  ])('maps a query failing with %s (%s), as TypeORM reports it, to 503 reason %s', async (name, sqlState, reason) => {
    const dataSource = api.app.get<DataSource>(READ_MODEL_DATA_SOURCE);
    const error = await dataSource.query(`DO $$ BEGIN RAISE EXCEPTION 'simulated' USING ERRCODE = '${name}'; END $$`).catch((e: unknown) => e);
    expect((error as Error).name).toBe('QueryFailedError');
    expect(new ProblemDetailsFilter().toProblem(error)).toMatchObject({ status: 503, type: 'https://tthc-ledger.dev/problems/database-resources', reason, sqlState });
  });

  it('still answers 500 for other database errors', async () => {
    const dataSource = api.app.get<DataSource>(READ_MODEL_DATA_SOURCE);
    const error = await dataSource.query(`DO $$ BEGIN RAISE EXCEPTION 'simulated' USING ERRCODE = 'undefined_file'; END $$`).catch((e: unknown) => e);
    expect(new ProblemDetailsFilter().toProblem(error)).toMatchObject({ status: 500 });
  });
});
