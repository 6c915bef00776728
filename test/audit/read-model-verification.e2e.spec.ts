import { CommandBus } from '@nestjs/cqrs';
import { IssueDecisionCommand, seedBinhDuong } from '@tthc/application';
import { PROJECTION_RUNNER, type ProjectionRunner } from '@tthc/read-models';
import { startApi, type ApiHarness } from '../support/api-app.js';

/*
 * POST /api/audit/verifications, the read models' part: a clean store (the Bình Dương scenario, caught
 * up) verifies with no mismatch; a row corrupted with SQL shows as the authority, date (or procedure),
 * field, expected and found values.
 */

let api: ApiHarness;
let head: number;
const verify = async () => (await api.as('auditor').post('/api/audit/verifications').expect(200)).body;

// The shipped units set up at the first start: 63 established, 29 dissolved into 23 hosts (23
// absorptions), 7 hosts and Huế renamed.
const SETUP_EVENTS = 63 + 29 + 23 + 8;

beforeAll(async () => {
  api = await startApi();
  const bus = api.app.get(CommandBus);
  const { lastPosition } = await seedBinhDuong((decision, context) => bus.execute(new IssueDecisionCommand(decision, context)));
  head = lastPosition;
  expect(await api.app.get<ProjectionRunner>(PROJECTION_RUNNER).waitForPosition(head, 60_000)).toBe(true);
}, 180_000);

afterAll(async () => {
  await api?.close();
});

describe('POST /api/audit/verifications (read models)', () => {
  it('finds no mismatch in a clean store, having replayed every event and checked every authority and change date', async () => {
    const body = await verify();
    expect(body).toMatchObject({
      ok: true,
      eventsReplayed: 2197 + SETUP_EVENTS, // 2,192 procedure events, the 5 decision records and the setup
      authoritiesChecked: 63,
      datesChecked: 6,
      mismatches: [],
      readModels: {
        ok: true,
        upToPosition: head,
        headPosition: head,
        eventsReplayed: 2197 + SETUP_EVENTS, // 2,192 procedure events, the 5 decision records and the setup
        proceduresChecked: 1893,
        mismatchCount: 0,
        intervalPath: { asOfPosition: head, summariesChecked: 6 * 63 },
      },
    });
    expect(body.readModels.intervalPath.dates.slice(0, 5)).toEqual(['2023-06-01', '2023-07-15', '2023-08-20', '2023-09-10', '2023-10-16']);
  });

  it('reports a corrupted daily summary and a corrupted procedure row precisely, and ok false', async () => {
    const [procedure] = await api.sql<{ procedure_code: string }>(
      `SELECT procedure_code FROM read_model.procedures WHERE authority_code = '74' AND paper_intake = 'DISABLED' AND NOT withdrawn
       ORDER BY procedure_code LIMIT 1`,
    );
    await api.sql(`UPDATE read_model.authority_daily_summaries SET information_only = information_only + 7 WHERE authority_code = '74' AND date = '2023-07-15'`);
    await api.sql(`UPDATE read_model.procedures SET paper_intake = 'ACCEPTED' WHERE authority_code = '74' AND procedure_code = $1`, [procedure.procedure_code]);
    try {
      const body = await verify();
      expect(body.ok).toBe(false);
      expect(body.tamperEvidence.ok).toBe(true); // the log itself is intact: only the read models are wrong
      const expected = [
        // 504 information-only on 2023-06-01, 100 of them partial from 2023-07-15.
        { authorityCode: '74', date: '2023-07-15', source: 'authority_daily_summaries', field: 'informationOnly', expected: 404, found: 411 },
        { authorityCode: '74', procedureCode: procedure.procedure_code, source: 'procedures', field: 'paperIntake', expected: 'DISABLED', found: 'ACCEPTED' },
      ];
      expect(body.mismatches).toEqual(expected);
      expect(body.readModels).toMatchObject({ ok: false, mismatchCount: 2, mismatches: expected });
    } finally {
      await api.sql(`UPDATE read_model.authority_daily_summaries SET information_only = information_only - 7 WHERE authority_code = '74' AND date = '2023-07-15'`);
      await api.sql(`UPDATE read_model.procedures SET paper_intake = 'DISABLED' WHERE authority_code = '74' AND procedure_code = $1`, [procedure.procedure_code]);
    }
    expect((await verify()).ok).toBe(true);
  });

  it('is for auditors and administrators', async () => {
    await api.as('viewer').post('/api/audit/verifications').expect(403);
    await api.as('administrator').post('/api/audit/verifications').expect(200);
  });
});
