import { handleAuthorityCommand, setupShippedAuthorities, storeSetup } from '@tthc/application';
import { AuthorityNotInBoundaries, UnknownAuthority } from '@tthc/domain';
import { createReadModelHarness, type ReadModelHarness } from '../testing/read-model-harness.js';
import { GetAuthoritySummaryHandler, GetAuthoritySummaryQuery, GetNationalSummaryHandler, GetNationalSummaryQuery } from './read-model.queries.js';
import { ReadModelReader, type Queryable } from './read-model.reader.js';

/*
 * The query handlers keep the lineage read model between queries (ReadModelReader.withLineage) and
 * answer with it only while each query's own statement finds it current: a reorganisation or a new
 * unit projected since is in the very next answer.
 */
describe('the lineage kept between queries', () => {
  let h: ReadModelHarness;
  let statements: string[];
  let reader: ReadModelReader;
  let summary: GetAuthoritySummaryHandler;

  beforeAll(async () => {
    h = await createReadModelHarness(); // the 63 units of 2023, no reorganisation yet
    await h.runner().catchUp();
    statements = [];
    const counting: Queryable = { query: (sql, params) => (statements.push(sql), h.dataSource.query(sql, params)) };
    reader = new ReadModelReader(counting);
    summary = new GetAuthoritySummaryHandler(reader);
  }, 120_000);
  afterAll(() => h?.close());

  it('reads the lineage for the first query only: later ones are one statement each', async () => {
    await summary.execute(new GetAuthoritySummaryQuery('74', '2025-08-01'));
    expect(statements.length).toBe(3); // the units, their versions, the counts
    statements.length = 0;
    const again = await summary.execute(new GetAuthoritySummaryQuery('79', '2024-01-01'));
    await new GetNationalSummaryHandler(reader).execute(new GetNationalSummaryQuery('2024-01-01'));
    expect(statements.length).toBe(2);
    expect(again).toMatchObject({ authorityCode: '79', boundaries: '2023' });
  });

  it('answers with a reorganisation projected after the lineage was kept', async () => {
    // Before the merger is recorded, 74 goes on in the 2025 boundaries.
    expect(await summary.execute(new GetAuthoritySummaryQuery('74', '2025-08-01'))).toMatchObject({ boundaries: '2025', authorityName: 'Bình Dương' });
    await setupShippedAuthorities(storeSetup(h.store), 'reorganisation', 'test');
    await h.runner().catchUp();
    const after = await summary.execute(new GetAuthoritySummaryQuery('74', '2025-08-01'));
    expect(after).toMatchObject({ boundaries: '2023', servedBy: '79', dissolvedOn: '2025-07-01' });
    await expect(summary.execute(new GetAuthoritySummaryQuery('74', '2025-08-01', undefined, undefined, '2025'))).rejects.toBeInstanceOf(AuthorityNotInBoundaries);
    // Kept again: one statement.
    statements.length = 0;
    await summary.execute(new GetAuthoritySummaryQuery('79', '2025-08-01'));
    expect(statements.length).toBe(1);
  });

  it('answers for a unit established after the lineage was kept, and 404s one never established', async () => {
    await expect(summary.execute(new GetAuthoritySummaryQuery('98', '2024-06-01'))).rejects.toBeInstanceOf(UnknownAuthority);
    await handleAuthorityCommand(
      h.store,
      { type: 'EstablishAuthority', data: { authorityCode: '98', name: 'Tỉnh Thử Nghiệm', kind: 'PROVINCE', effectiveFrom: '2024-01-01', legalBasis: 'test' } },
      { actor: 'test', correlationId: 'kept-lineage' },
    );
    await h.runner().catchUp();
    expect(await summary.execute(new GetAuthoritySummaryQuery('98', '2024-06-01'))).toMatchObject({ authorityCode: '98', authorityName: 'Tỉnh Thử Nghiệm', total: 0 });
  });
});
