import { BINH_DUONG_FIGURES, issueDecision, seedBinhDuong, seedNational } from '@tthc/application';
import type { EventStore } from '@tthc/event-store';
import { ProjectionRunner } from '../projection/projection-runner.js';
import { createReadModelHarness, type ReadModelHarness } from '../testing/read-model-harness.js';
import { cmd } from '../testing/read-model-test-kit.js';
import { ReadModelVerifier, type ReadModelVerification } from './read-model-verifier.js';

const TODAY = '2025-06-01';

/** The store, showing only the events up to `last`: a projector that stopped there. */
function logUpTo(store: EventStore, last: number): EventStore {
  return {
    ...store,
    readAll: async (options) => (await store.readAll(options)).filter((e) => e.globalPosition <= last),
    headPosition: async () => Math.min(last, await store.headPosition()),
    appendToStream: store.appendToStream.bind(store),
    readStream: store.readStream.bind(store),
    subscribeToAll: store.subscribeToAll.bind(store),
    close: store.close.bind(store),
  };
}

describe('verifying the read models against the log', () => {
  let h: ReadModelHarness;
  let verifier: ReadModelVerifier;
  let clean: ReadModelVerification;
  const verify = () => verifier.verify();
  const sql = (text: string, params?: unknown[]) => h.dataSource.query(text, params);

  beforeAll(async () => {
    h = await createReadModelHarness();
    await seedBinhDuong((decision, context) => issueDecision(h.store, decision, context));
    await h.runner({ batchSize: 500 }).catchUp();
    verifier = new ReadModelVerifier(h.dataSource, h.store, { today: () => TODAY, batchSize: 700 });
    clean = await verify();
  }, 180_000);
  afterAll(() => h?.close());

  describe('a clean store (the Bình Dương scenario, caught up)', () => {
    it('finds no mismatch', () => expect(clean.mismatches).toEqual([]));

    it('replays every event up to the checkpoint and checks every authority on every change date and today', async () => {
      const head = await h.store.headPosition();
      expect(clean).toMatchObject({
        upToPosition: head,
        headPosition: head,
        eventsReplayed: 63 + 1893 + 100 + 59 + 97 + 3 + 40 + 5, // the 63 units established, the scenario, its five decision records
        authoritiesChecked: 63,
        datesChecked: 6, // 2023-06-01, 07-15, 08-20, 09-10, 10-16 and today
        summariesChecked: 5 + 63,
        proceduresChecked: 1893,
        mismatchCount: 0,
      });
      expect(clean.intervalPath).toEqual({
        asOfPosition: head,
        dates: ['2023-06-01', '2023-07-15', '2023-08-20', '2023-09-10', '2023-10-16', TODAY],
        summariesChecked: 6 * 63,
      });
      // (date, kind): registered, 3 reclassifications, a withdrawal, paper intake; in the transition rows and in the daily counts
      expect(clean.transitionCountsChecked).toBe(2 * 6);
    });

    it('agrees with the published figures it recomputed', async () => {
      // A corrupted figure shows with the published number as `expected`, on its date and on every
      // later date it answers for (today).
      await sql(`UPDATE read_model.authority_daily_summaries SET total = total + 1 WHERE authority_code = '74' AND date = '2023-10-16'`);
      try {
        const report = await verify();
        const total = BINH_DUONG_FIGURES['2023-10-16'].total;
        expect(report.mismatches).toEqual([
          { authorityCode: '74', date: '2023-10-16', source: 'authority_daily_summaries', field: 'total', expected: total, found: total + 1 },
          { authorityCode: '74', date: TODAY, source: 'authority_daily_summaries', field: 'total', expected: total, found: total + 1 },
        ]);
      } finally {
        await sql(`UPDATE read_model.authority_daily_summaries SET total = total - 1 WHERE authority_code = '74' AND date = '2023-10-16'`);
      }
    });
  });

  describe('a corrupted read model', () => {
    afterEach(async () => {
      // Every corruption is undone by replaying into fresh rows, so that tests do not see each other's.
      await sql(`TRUNCATE read_model.procedures, read_model.procedure_status_intervals, read_model.procedure_transitions,
                          read_model.authority_daily_summaries, read_model.authority_daily_transitions, read_model.projection_checkpoints`);
      await h.runner({ batchSize: 1000 }).catchUp();
      expect((await verify()).mismatchCount).toBe(0);
    }, 60_000);

    it('reports a changed pre-aggregated row: that authority, that date, that field, both values', async () => {
      await sql(`UPDATE read_model.authority_daily_summaries SET full_process = full_process + 2, partial = partial - 2
                 WHERE authority_code = '74' AND date = '2023-08-20'`);
      const report = await verify();
      expect(report.mismatches).toEqual([
        { authorityCode: '74', date: '2023-08-20', source: 'authority_daily_summaries', field: 'fullProcess', expected: 756, found: 758 },
        { authorityCode: '74', date: '2023-08-20', source: 'authority_daily_summaries', field: 'partial', expected: 733, found: 731 },
      ]);
      expect(report.mismatchCount).toBe(2);
    });

    it('reports a stray pre-aggregated row on a date when nothing changed', async () => {
      await sql(`INSERT INTO read_model.authority_daily_summaries VALUES ('74', '2023-07-01', 1, 1, 0, 0, 0)`);
      const report = await verify();
      expect(report.mismatches.map((m) => [m.date, m.field, m.expected, m.found])).toEqual([
        ['2023-07-01', 'fullProcess', 697, 1],
        ['2023-07-01', 'informationOnly', 504, 0],
        ['2023-07-01', 'paperIntakeDisabled', 731, 0],
        ['2023-07-01', 'partial', 692, 0],
        ['2023-07-01', 'total', 1893, 1],
      ]);
    });

    it("reports a procedure row whose mode or revision is wrong, by procedure code", async () => {
      const [row] = await sql(
        `SELECT procedure_code FROM read_model.procedures WHERE authority_code = '74' AND online_mode = 'FULL_PROCESS' AND NOT withdrawn
         ORDER BY procedure_code LIMIT 1`,
      );
      await sql(`UPDATE read_model.procedures SET online_mode = 'PARTIAL', revision = revision + 5 WHERE authority_code = '74' AND procedure_code = $1`, [
        row.procedure_code,
      ]);
      const report = await verify();
      expect(report.mismatches).toEqual([
        { authorityCode: '74', procedureCode: row.procedure_code, source: 'procedures', field: 'onlineMode', expected: 'FULL_PROCESS', found: 'PARTIAL' },
        { authorityCode: '74', procedureCode: row.procedure_code, source: 'procedures', field: 'revision', expected: expect.any(Number), found: expect.any(Number) },
      ]);
      expect(report.mismatches[1].found).toBe((report.mismatches[1].expected as number) + 5);
    });

    it('reports a missing procedure row and a row the log never registered', async () => {
      await sql(`DELETE FROM read_model.procedures WHERE authority_code = '74' AND procedure_code = '9.000001'`);
      await sql(
        `INSERT INTO read_model.procedures (authority_code, procedure_code, name, online_mode, paper_intake, registered_from,
           last_effective_from, revision, position)
         VALUES ('01', '1.000001', 'Bịa', 'PARTIAL', 'ACCEPTED', '2023-01-01', '2023-01-01', 0, 1)`,
      );
      expect((await verify()).mismatches).toEqual([
        { authorityCode: '01', procedureCode: '1.000001', source: 'procedures', field: 'row', expected: 'absent', found: 'present' },
        { authorityCode: '74', procedureCode: '9.000001', source: 'procedures', field: 'row', expected: 'present', found: 'missing' },
      ]);
    });

    it('reports a corrupted status interval on the bitemporal path', async () => {
      const [row] = await sql(
        `SELECT procedure_code FROM read_model.procedure_status_intervals
         WHERE authority_code = '74' AND online_mode = 'INFORMATION_ONLY' AND valid_to IS NULL AND recorded_to IS NULL
         ORDER BY procedure_code LIMIT 1`,
      );
      await sql(
        `UPDATE read_model.procedure_status_intervals SET online_mode = 'PARTIAL'
         WHERE authority_code = '74' AND procedure_code = $1 AND valid_to IS NULL AND recorded_to IS NULL`,
        [row.procedure_code],
      );
      const report = await verify();
      expect(report.mismatches.every((m) => m.source === 'procedure_status_intervals' && m.authorityCode === '74')).toBe(true);
      expect(report.mismatches.filter((m) => m.date === TODAY)).toEqual([
        { authorityCode: '74', date: TODAY, source: 'procedure_status_intervals', field: 'informationOnly', expected: 304, found: 303 },
        { authorityCode: '74', date: TODAY, source: 'procedure_status_intervals', field: 'partial', expected: 830, found: 831 },
      ]);
    });

    it('reports a lost transition', async () => {
      await sql(
        `DELETE FROM read_model.procedure_transitions WHERE position = (
           SELECT min(position) FROM read_model.procedure_transitions WHERE kind = 'ProcedureWithdrawn')`,
      );
      expect((await verify()).mismatches).toEqual([
        { authorityCode: '74', date: '2023-09-10', source: 'procedure_transitions', field: 'withdrawn', expected: 3, found: 2 },
      ]);
    });

    it("reports a movement pre-aggregation that says otherwise than the log, and one it lacks", async () => {
      await sql(`UPDATE read_model.authority_daily_transitions SET n = n + 2 WHERE authority_code = '74' AND date = '2023-09-10' AND kind = 'ProcedureWithdrawn'`);
      await sql(
        `DELETE FROM read_model.authority_daily_transitions
         WHERE (authority_code, date, kind) = (SELECT authority_code, min(date), 'ProcedureRegistered' FROM read_model.authority_daily_transitions
                                               WHERE authority_code = '74' AND kind = 'ProcedureRegistered' GROUP BY authority_code)
         RETURNING n`,
      );
      const mismatches = (await verify()).mismatches;
      expect(mismatches).toHaveLength(2);
      expect(mismatches).toContainEqual({ authorityCode: '74', date: '2023-09-10', source: 'authority_daily_transitions', field: 'withdrawn', expected: 3, found: 5 });
      expect(mismatches).toContainEqual(
        expect.objectContaining({ authorityCode: '74', source: 'authority_daily_transitions', field: 'registered', found: 0, expected: expect.any(Number) }),
      );
    });
  });

  describe('read models behind the log', () => {
    it('checks up to their checkpoint, and says how far the log goes', async () => {
      const result = await h.execute(cmd.register('01', '1.000002', 'PARTIAL', '2024-01-01'));
      const report = await verify();
      expect(report.mismatches).toEqual([]);
      expect(report.headPosition).toBe(result.events[0].globalPosition);
      expect(report.upToPosition).toBeLessThan(report.headPosition);
      await h.runner().catchUp();
      expect(await verify()).toMatchObject({ upToPosition: report.headPosition, mismatchCount: 0 });
    });
  });

  describe('a checkpoint inside one append (a batch boundary during a catch-up)', () => {
    it('compares the intervals as of the position before that append, and finds no mismatch', async () => {
      await seedNational(h.store, { procedures: 3, years: 2, concurrency: 4 });
      const log = await h.store.readAll({ after: await h.runner().checkpoint(), limit: 100_000 });
      // A stream appended whole, cut after its second event.
      const stream = log.find((e, i) => e.revision === 0 && (log[i + 2]?.streamId ?? '') === e.streamId)!;
      const cut = log.find((e) => e.streamId === stream.streamId && e.revision === 1)!.globalPosition;
      await new ProjectionRunner(h.dataSource, logUpTo(h.store, cut), { batchSize: 100 }).catchUp();
      expect(await h.runner().checkpoint()).toBe(cut);

      const report = await verify();
      expect(report.mismatches).toEqual([]);
      expect(report.upToPosition).toBe(cut);
      expect(report.intervalPath.asOfPosition).toBe(stream.globalPosition - 1);

      await h.runner().catchUp();
      const caughtUp = await verify();
      expect(caughtUp.mismatches).toEqual([]);
      expect(caughtUp.intervalPath.asOfPosition).toBe(caughtUp.upToPosition);
    }, 60_000);
  });
});
