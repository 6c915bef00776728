import { seedNational, shippedAuthorities } from '@tthc/application';
import { vietnamDate, type ProcedureCommand } from '@tthc/domain';
import {
  GetAuthoritySummaryHandler,
  GetAuthoritySummaryQuery,
  GetMovementHandler,
  GetMovementQuery,
  ListProceduresHandler,
  ListProceduresQuery,
} from '../queries/read-model.queries.js';
import { TRANSITION_KINDS, type TransitionCounts } from '../queries/read-model.reader.js';
import { ZERO_COUNTS, type SummaryCounts } from '../queries/summary.js';
import { createReadModelHarness, type ReadModelHarness } from '../testing/read-model-harness.js';
import {
  addDays,
  appendRecordedAt,
  cmd,
  counts,
  IndependentReplay,
  readModelInvariantViolations,
  replaySnapshot,
  shiftInstant,
  sleep,
  snapshotReadModels,
} from '../testing/read-model-test-kit.js';
import { loadProcedures } from './projection-writer.js';
import { planBatch } from './projection-plan.js';

const NO_TRANSITIONS = Object.fromEntries(Object.values(TRANSITION_KINDS).map((k) => [k, 0])) as TransitionCounts;
const transitions = (some: Partial<TransitionCounts>): TransitionCounts => ({ ...NO_TRANSITIONS, ...some });

describe('the procedure projection (bitemporal read models on PostgreSQL)', () => {
  let h: ReadModelHarness;
  const project = () => h.runner().catchUp();
  const run = async (commands: ProcedureCommand[]) => {
    for (const c of commands) await h.execute(c);
  };
  /** The counts of one authority on `at`, from the pre-aggregation and from the intervals (knownAt = now), which must agree. */
  const countsAt = async (authority: string, at: string): Promise<SummaryCounts> => {
    const fast = (await h.reader.counts([authority], { at })).counts.get(authority);
    const bitemporal = (await h.reader.counts([authority], { at, knownAt: new Date().toISOString() })).counts.get(authority);
    expect({ at, bitemporal }).toEqual({ at, bitemporal: fast });
    return fast!;
  };
  const countsKnownAt = async (authority: string, at: string, knownAt: string) =>
    (await h.reader.counts([authority], { at, knownAt })).counts.get(authority);
  const listed = async (authority: string, at: string, knownAt?: string) =>
    (await h.reader.procedures([authority], { at, knownAt }, { page: 1, pageSize: 1000 })).items.map(
      (i) => `${i.procedureCode} ${i.onlineMode} ${i.paperIntake}`,
    );

  beforeAll(async () => {
    h = await createReadModelHarness();
  }, 60_000);
  afterAll(() => h?.close());

  describe('`at` = in force on that date: the day before, of and after each effective date', () => {
    const A = '01';
    beforeAll(async () => {
      await run([
        cmd.register(A, '1.100001', 'FULL_PROCESS', '2024-03-10'),
        cmd.register(A, '1.100002', 'PARTIAL', '2024-01-01'),
        cmd.reclassify(A, '1.100002', 'FULL_PROCESS', '2024-04-15'),
        cmd.register(A, '1.100003', 'FULL_PROCESS', '2024-01-01'),
        cmd.disablePaper(A, '1.100003', '2024-05-20'),
        cmd.register(A, '1.100004', 'INFORMATION_ONLY', '2024-01-01'),
        cmd.withdraw(A, '1.100004', '2024-06-30'),
        cmd.register(A, '1.100005', 'PARTIAL', '2024-01-01', 'DISABLED'),
        cmd.reenablePaper(A, '1.100005', '2024-07-10'),
        cmd.register(A, '1.100006', 'FULL_PROCESS', '2024-01-01', 'DISABLED'),
        cmd.reclassify(A, '1.100006', 'PARTIAL', '2024-08-01'),
        cmd.withdraw(A, '1.100006', '2024-09-01'),
      ]);
      await project();
    });

    // [at, total, fullProcess, partial, informationOnly, paperIntakeDisabled]
    const timeline: [string, number, number, number, number, number][] = [
      ['2023-12-31', 0, 0, 0, 0, 0],
      ['2024-01-01', 5, 2, 2, 1, 2], // five registrations in force from their date
      ['2024-03-09', 5, 2, 2, 1, 2],
      ['2024-03-10', 6, 3, 2, 1, 2], // a registration
      ['2024-03-11', 6, 3, 2, 1, 2],
      ['2024-04-14', 6, 3, 2, 1, 2],
      ['2024-04-15', 6, 4, 1, 1, 2], // a reclassification
      ['2024-04-16', 6, 4, 1, 1, 2],
      ['2024-05-19', 6, 4, 1, 1, 2],
      ['2024-05-20', 6, 4, 1, 1, 3], // paper intake disabled
      ['2024-05-21', 6, 4, 1, 1, 3],
      ['2024-06-29', 6, 4, 1, 1, 3],
      ['2024-06-30', 5, 4, 1, 0, 3], // a withdrawal removes it from its date on
      ['2024-07-01', 5, 4, 1, 0, 3],
      ['2024-07-09', 5, 4, 1, 0, 3],
      ['2024-07-10', 5, 4, 1, 0, 2], // paper intake re-enabled
      ['2024-07-11', 5, 4, 1, 0, 2],
      ['2024-07-31', 5, 4, 1, 0, 2],
      ['2024-08-01', 5, 3, 2, 0, 2], // a downgrade
      ['2024-08-31', 5, 3, 2, 0, 2],
      ['2024-09-01', 4, 3, 1, 0, 1], // withdrawal of a paperless partial procedure
      ['2024-09-02', 4, 3, 1, 0, 1],
      ['2099-12-31', 4, 3, 1, 0, 1],
    ];
    it.each(timeline)('counts on %s', async (at, ...expected) => {
      expect(await countsAt(A, at)).toEqual(counts(...expected));
    });

    it('lists exactly the procedures in force, in their state on that date', async () => {
      expect(await listed(A, '2023-12-31')).toEqual([]);
      expect(await listed(A, '2024-03-09')).toEqual([
        '1.100002 PARTIAL ACCEPTED',
        '1.100003 FULL_PROCESS ACCEPTED',
        '1.100004 INFORMATION_ONLY ACCEPTED',
        '1.100005 PARTIAL DISABLED',
        '1.100006 FULL_PROCESS DISABLED',
      ]);
      expect(await listed(A, '2024-03-10')).toContain('1.100001 FULL_PROCESS ACCEPTED');
      expect(await listed(A, '2024-04-14')).toContain('1.100002 PARTIAL ACCEPTED');
      expect(await listed(A, '2024-04-15')).toContain('1.100002 FULL_PROCESS ACCEPTED');
      expect(await listed(A, '2024-05-19')).toContain('1.100003 FULL_PROCESS ACCEPTED');
      expect(await listed(A, '2024-05-20')).toContain('1.100003 FULL_PROCESS DISABLED');
      expect(await listed(A, '2024-06-29')).toContain('1.100004 INFORMATION_ONLY ACCEPTED');
      expect((await listed(A, '2024-06-30')).some((l) => l.startsWith('1.100004'))).toBe(false);
      expect(await listed(A, '2024-07-09')).toContain('1.100005 PARTIAL DISABLED');
      expect(await listed(A, '2024-07-10')).toContain('1.100005 PARTIAL ACCEPTED');
      expect(await listed(A, '2024-08-31')).toContain('1.100006 PARTIAL DISABLED');
      expect(await listed(A, '2024-09-01')).toEqual([
        '1.100001 FULL_PROCESS ACCEPTED',
        '1.100002 FULL_PROCESS ACCEPTED',
        '1.100003 FULL_PROCESS DISABLED',
        '1.100005 PARTIAL ACCEPTED',
      ]);
      // The list and the counts agree on every date of the timeline.
      for (const [at, total] of timeline) expect({ at, n: (await listed(A, at)).length }).toEqual({ at, n: total });
    });

    it('counts transitions whose effective date lies in (from, to]: from excluded, to included', async () => {
      const t = (from: string, to: string) => h.reader.transitions(A, from, to);
      expect(await t('2023-12-31', '2024-01-01')).toEqual(transitions({ registered: 5 }));
      expect(await t('2024-01-01', '2024-03-09')).toEqual(NO_TRANSITIONS); // the registrations on `from` are out
      expect(await t('2024-03-09', '2024-03-10')).toEqual(transitions({ registered: 1 }));
      expect(await t('2024-03-10', '2024-03-11')).toEqual(NO_TRANSITIONS);
      expect(await t('2024-03-10', '2024-03-10')).toEqual(NO_TRANSITIONS);
      expect(await t('2024-04-14', '2024-04-15')).toEqual(transitions({ upgradedToFullProcess: 1 }));
      expect(await t('2024-04-15', '2024-05-20')).toEqual(transitions({ paperIntakeDisabled: 1 }));
      expect(await t('2024-06-29', '2024-06-30')).toEqual(transitions({ withdrawn: 1 }));
      expect(await t('2024-06-30', '2024-07-01')).toEqual(NO_TRANSITIONS);
      expect(await t('2024-07-09', '2024-07-10')).toEqual(transitions({ paperIntakeReenabled: 1 }));
      expect(await t('2024-01-01', '2024-08-31')).toEqual(
        transitions({ registered: 1, upgradedToFullProcess: 1, paperIntakeDisabled: 1, withdrawn: 1, paperIntakeReenabled: 1, downgradedToPartial: 1 }),
      );
      expect(await t('2024-01-01', '2024-09-01')).toEqual(
        transitions({ registered: 1, upgradedToFullProcess: 1, paperIntakeDisabled: 1, withdrawn: 2, paperIntakeReenabled: 1, downgradedToPartial: 1 }),
      );
      expect(await t('2023-12-31', '2099-12-31')).toEqual(
        transitions({ registered: 6, upgradedToFullProcess: 1, paperIntakeDisabled: 1, withdrawn: 2, paperIntakeReenabled: 1, downgradedToPartial: 1 }),
      );
    });

    it('answers a movement whose delta is `to` minus `from` and whose transitions are those in (from, to]', async () => {
      const movement = await new GetMovementHandler(h.reader).execute(new GetMovementQuery(A, '2024-03-09', '2024-09-01'));
      expect(movement.from.total).toBe(5);
      expect(movement.to.total).toBe(4);
      expect(movement.delta).toEqual({ total: -1, fullProcess: 1, partial: -1, informationOnly: -1, paperIntakeDisabled: -1 });
      expect(movement.transitions).toEqual(
        transitions({ registered: 1, upgradedToFullProcess: 1, paperIntakeDisabled: 1, withdrawn: 2, paperIntakeReenabled: 1, downgradedToPartial: 1 }),
      );
    });
  });

  describe('future-dated transitions', () => {
    const A = '79';
    const today = vietnamDate(new Date());
    beforeAll(async () => {
      await run([
        cmd.register(A, '1.200001', 'FULL_PROCESS', '2031-01-01'),
        cmd.register(A, '1.200002', 'PARTIAL', '2020-01-01'),
        cmd.reclassify(A, '1.200002', 'FULL_PROCESS', '2031-01-01'),
        cmd.register(A, '1.200003', 'INFORMATION_ONLY', '2020-01-01'),
        cmd.withdraw(A, '1.200003', '2031-01-01'),
      ]);
      await project();
    });

    it('are not in force today, and are from their date on', async () => {
      expect(today < '2031-01-01').toBe(true);
      expect(await countsAt(A, today)).toEqual(counts(2, 0, 1, 1, 0));
      expect(await countsAt(A, '2030-12-31')).toEqual(counts(2, 0, 1, 1, 0));
      expect(await countsAt(A, '2031-01-01')).toEqual(counts(2, 2, 0, 0, 0));
      expect(await countsAt(A, '2031-01-02')).toEqual(counts(2, 2, 0, 0, 0));
      const summary = await new GetAuthoritySummaryHandler(h.reader).execute(new GetAuthoritySummaryQuery(A));
      expect(summary).toMatchObject({ at: today, total: 2, fullProcess: { count: 0 }, partial: { count: 1 } });
    });

    it('are listed by the procedure list only from their date', async () => {
      const list = new ListProceduresHandler(h.reader);
      const now = await list.execute(new ListProceduresQuery(A, {}));
      expect(now.at).toBe(today);
      expect(now.items.map((i) => [i.procedureCode, i.onlineMode])).toEqual([
        ['1.200002', 'PARTIAL'],
        ['1.200003', 'INFORMATION_ONLY'],
      ]);
      expect((await list.execute(new ListProceduresQuery(A, { at: '2030-12-31' }))).total).toBe(2);
      const then = await list.execute(new ListProceduresQuery(A, { at: '2031-01-01' }));
      expect(then.items.map((i) => [i.procedureCode, i.onlineMode, i.inForceFrom])).toEqual([
        ['1.200001', 'FULL_PROCESS', '2031-01-01'],
        ['1.200002', 'FULL_PROCESS', '2020-01-01'],
      ]);
      expect(then.total).toBe(2);
    });

    it('show in the movement from today to their date', async () => {
      expect(await h.reader.transitions(A, today, '2031-01-01')).toEqual(
        transitions({ registered: 1, upgradedToFullProcess: 1, withdrawn: 1 }),
      );
      expect(await h.reader.transitions(A, '2019-12-31', today)).toEqual(transitions({ registered: 2 }));
    });
  });

  describe('knownAt = as the records stood at that instant', () => {
    const A = '48';
    let t0: string, t1: string, t2: string, t3: string, t4: string;
    let disabledAt: string;
    beforeAll(async () => {
      const mark = async () => {
        const t = new Date().toISOString();
        await sleep(15);
        return t;
      };
      t0 = await mark();
      await h.execute(cmd.register(A, '1.300001', 'FULL_PROCESS', '2024-01-01'));
      t1 = await mark();
      await h.execute(cmd.disablePaper(A, '1.300001', '2024-02-01'));
      t2 = await mark();
      await h.execute(cmd.register(A, '1.300002', 'PARTIAL', '2024-01-15'));
      t3 = await mark();
      await h.execute(cmd.withdraw(A, '1.300001', '2024-03-01'));
      t4 = await mark();
      disabledAt = (await h.store.readStream('procedure-48:1.300001'))[1].metadata.recordedAt;
      await project();
    });

    it('knows nothing before the first event', async () => {
      for (const at of ['2024-01-01', '2024-02-15', '2024-03-01', '2099-01-01']) {
        expect(await countsKnownAt(A, at, t0)).toEqual(ZERO_COUNTS);
      }
      expect(await listed(A, '2024-02-15', t0)).toEqual([]);
      expect(await h.reader.transitions(A, '2000-01-01', '2099-01-01', t0)).toEqual(NO_TRANSITIONS);
    });

    it('knows what was recorded by then, and nothing recorded later', async () => {
      expect(await countsKnownAt(A, '2024-02-15', t1)).toEqual(counts(1, 1, 0, 0, 0));
      expect(await countsKnownAt(A, '2024-01-31', t2)).toEqual(counts(1, 1, 0, 0, 0));
      expect(await countsKnownAt(A, '2024-02-15', t2)).toEqual(counts(1, 1, 0, 0, 1));
      expect(await countsKnownAt(A, '2024-01-14', t3)).toEqual(counts(1, 1, 0, 0, 0));
      expect(await countsKnownAt(A, '2024-02-15', t3)).toEqual(counts(2, 1, 1, 0, 1));
      expect(await countsKnownAt(A, '2024-03-01', t3)).toEqual(counts(2, 1, 1, 0, 1)); // withdrawal not yet recorded
      expect(await countsKnownAt(A, '2024-02-29', t4)).toEqual(counts(2, 1, 1, 0, 1));
      expect(await countsKnownAt(A, '2024-03-01', t4)).toEqual(counts(1, 0, 1, 0, 0));
      expect(await countsAt(A, '2024-03-01')).toEqual(counts(1, 0, 1, 0, 0));
      expect(await listed(A, '2024-02-15', t2)).toEqual(['1.300001 FULL_PROCESS DISABLED']);
      expect(await listed(A, '2024-02-15', t1)).toEqual(['1.300001 FULL_PROCESS ACCEPTED']);
      expect(await listed(A, '2024-03-01', t3)).toEqual(['1.300001 FULL_PROCESS DISABLED', '1.300002 PARTIAL ACCEPTED']);
      expect(await listed(A, '2024-03-01', t4)).toEqual(['1.300002 PARTIAL ACCEPTED']);
      expect(await h.reader.transitions(A, '2023-12-31', '2024-12-31', t2)).toEqual(transitions({ registered: 1, paperIntakeDisabled: 1 }));
      expect(await h.reader.transitions(A, '2023-12-31', '2024-12-31', t4)).toEqual(
        transitions({ registered: 2, paperIntakeDisabled: 1, withdrawn: 1 }),
      );
    });

    it('includes an event recorded exactly at knownAt, and excludes it a millisecond earlier', async () => {
      expect(await countsKnownAt(A, '2024-02-15', disabledAt)).toEqual(counts(1, 1, 0, 0, 1));
      expect(await countsKnownAt(A, '2024-02-15', shiftInstant(disabledAt, -1))).toEqual(counts(1, 1, 0, 0, 0));
      expect((await h.reader.transitions(A, '2024-01-31', '2024-02-01', disabledAt)).paperIntakeDisabled).toBe(1);
      expect((await h.reader.transitions(A, '2024-01-31', '2024-02-01', shiftInstant(disabledAt, -1))).paperIntakeDisabled).toBe(0);
    });
  });

  describe('a transition recorded after its effective date (recorded in July, effective from June 1)', () => {
    const A = '56';
    beforeAll(async () => {
      await appendRecordedAt(h.store, cmd.register(A, '1.400001', 'INFORMATION_ONLY', '2023-01-01'), '2023-01-05T03:00:00.000Z');
      await appendRecordedAt(h.store, cmd.register(A, '1.400002', 'FULL_PROCESS', '2023-03-01', 'DISABLED'), '2023-02-20T03:00:00.000Z');
      await appendRecordedAt(h.store, cmd.reclassify(A, '1.400001', 'PARTIAL', '2023-06-01'), '2023-07-10T02:00:00.000Z');
      await appendRecordedAt(h.store, cmd.withdraw(A, '1.400002', '2023-06-10'), '2023-08-01T02:00:00.000Z');
      await project();
    });

    it('keeps the explicit record time', async () => {
      const events = await h.store.readStream('procedure-56:1.400001');
      expect(events.map((e) => e.metadata.recordedAt)).toEqual(['2023-01-05T03:00:00.000Z', '2023-07-10T02:00:00.000Z']);
    });

    it('is in force on 2023-06-15 as known after its recording, and absent as known before it', async () => {
      const at = '2023-06-15';
      expect(await countsKnownAt(A, at, '2023-07-20T00:00:00Z')).toEqual(counts(2, 1, 1, 0, 1));
      expect(await countsKnownAt(A, at, '2023-06-20T00:00:00Z')).toEqual(counts(2, 1, 0, 1, 1));
      expect(await countsKnownAt(A, at, '2023-07-10T02:00:00.000Z')).toEqual(counts(2, 1, 1, 0, 1));
      expect(await countsKnownAt(A, at, '2023-07-10T01:59:59.999Z')).toEqual(counts(2, 1, 0, 1, 1));
      expect(await countsKnownAt(A, at, '2023-08-02T00:00:00Z')).toEqual(counts(1, 0, 1, 0, 0));
      expect(await countsKnownAt(A, at, '2023-01-05T03:00:00.000Z')).toEqual(counts(1, 0, 0, 1, 0));
      expect(await countsKnownAt(A, at, '2023-01-01T00:00:00Z')).toEqual(ZERO_COUNTS);
      expect(await countsAt(A, at)).toEqual(counts(1, 0, 1, 0, 0));
      // On a date before the effective date, the late recording changes nothing.
      expect(await countsKnownAt(A, '2023-05-31', '2023-07-20T00:00:00Z')).toEqual(counts(2, 1, 0, 1, 1));
      expect(await listed(A, at, '2023-06-20T00:00:00Z')).toEqual(['1.400001 INFORMATION_ONLY ACCEPTED', '1.400002 FULL_PROCESS DISABLED']);
      expect(await listed(A, at, '2023-07-20T00:00:00Z')).toEqual(['1.400001 PARTIAL ACCEPTED', '1.400002 FULL_PROCESS DISABLED']);
    });

    it('counts the transition in a movement only as known after its recording', async () => {
      const movement = (knownAt: string) => new GetMovementHandler(h.reader).execute(new GetMovementQuery(A, '2023-05-31', '2023-06-15', knownAt));
      const july = await movement('2023-07-20T00:00:00Z');
      expect(july.transitions).toEqual(transitions({ upgradedToPartial: 1 }));
      expect(july.delta).toEqual({ total: 0, fullProcess: 0, partial: 1, informationOnly: -1, paperIntakeDisabled: 0 });
      const june = await movement('2023-06-20T00:00:00Z');
      expect(june.transitions).toEqual(NO_TRANSITIONS);
      expect(june.delta).toEqual({ total: 0, fullProcess: 0, partial: 0, informationOnly: 0, paperIntakeDisabled: 0 });
      expect((await movement('2023-08-02T00:00:00Z')).transitions).toEqual(transitions({ upgradedToPartial: 1, withdrawn: 1 }));
    });
  });

  describe('a downgrade to information-only of a paperless procedure (one decision, two events)', () => {
    const A = '31';
    let recordedAt: string;
    beforeAll(async () => {
      await h.execute(cmd.register(A, '1.500001', 'FULL_PROCESS', '2024-01-01', 'DISABLED'));
      await h.execute(cmd.register(A, '1.500002', 'PARTIAL', '2024-01-01', 'DISABLED'));
      await sleep(5);
      const result = await h.execute(cmd.reclassify(A, '1.500001', 'INFORMATION_ONLY', '2024-05-01'));
      expect(result.events.map((e) => e.type)).toEqual(['ProcedureDowngradedToInformationOnly', 'PaperIntakeReenabled']);
      // The same decision on the registration's own date.
      await h.execute(cmd.reclassify(A, '1.500002', 'INFORMATION_ONLY', '2024-01-01'));
      const events = await h.store.readStream('procedure-31:1.500001');
      expect(events[1].metadata.recordedAt).toBe(events[2].metadata.recordedAt);
      recordedAt = events[1].metadata.recordedAt;
      await project();
    });

    it('switches mode and paper intake together on the effective date', async () => {
      expect(await countsAt(A, '2023-12-31')).toEqual(ZERO_COUNTS);
      expect(await countsAt(A, '2024-01-01')).toEqual(counts(2, 1, 0, 1, 1));
      expect(await countsAt(A, '2024-04-30')).toEqual(counts(2, 1, 0, 1, 1));
      expect(await countsAt(A, '2024-05-01')).toEqual(counts(2, 0, 0, 2, 0));
      expect(await listed(A, '2024-05-01')).toEqual(['1.500001 INFORMATION_ONLY ACCEPTED', '1.500002 INFORMATION_ONLY ACCEPTED']);
      expect(await h.reader.transitions(A, '2024-04-30', '2024-05-01')).toEqual(
        transitions({ downgradedToInformationOnly: 1, paperIntakeReenabled: 1 }),
      );
    });

    it('is never seen half-applied, at any knownAt', async () => {
      expect(await countsKnownAt(A, '2024-05-01', shiftInstant(recordedAt, -1))).toMatchObject({ fullProcess: 1, paperIntakeDisabled: 2 });
      expect(await countsKnownAt(A, '2024-05-01', recordedAt)).toMatchObject({ fullProcess: 0, informationOnly: 1, paperIntakeDisabled: 1 });
      expect(await listed(A, '2024-05-01', recordedAt)).toContain('1.500001 INFORMATION_ONLY ACCEPTED');
      const [{ n }] = await h.dataSource.query(
        `SELECT count(*)::int AS n FROM read_model.procedure_status_intervals WHERE online_mode = 'INFORMATION_ONLY' AND paper_intake = 'DISABLED'`,
      );
      expect(n).toBe(0);
    });
  });

  describe('the procedure list: paging and filters', () => {
    const A = '92';
    const MODES = ['FULL_PROCESS', 'PARTIAL', 'INFORMATION_ONLY'] as const;
    const all = Array.from({ length: 23 }, (_, i) => {
      const onlineMode = MODES[i % 3];
      const paperIntake: 'ACCEPTED' | 'DISABLED' = onlineMode !== 'INFORMATION_ONLY' && i % 2 === 0 ? 'DISABLED' : 'ACCEPTED';
      return { procedureCode: `2.${String(i + 1).padStart(6, '0')}`, onlineMode, paperIntake };
    });
    const inForce = all.filter((p) => p.procedureCode !== '2.000005'); // withdrawn 2024-06-01
    const at = '2025-01-01';
    beforeAll(async () => {
      // Registered in a shuffled order: the list is ordered by code, not by arrival.
      for (const p of [...all].reverse()) await h.execute(cmd.register(A, p.procedureCode, p.onlineMode, '2024-01-01', p.paperIntake));
      await h.execute(cmd.withdraw(A, '2.000005', '2024-06-01'));
      await h.execute(cmd.register(A, '2.000024', 'FULL_PROCESS', '2031-01-01'));
      await project();
    });
    const page = (options: { onlineMode?: string; paperIntake?: string; page: number; pageSize: number; knownAt?: string; at?: string }) =>
      h.reader.procedures([A], { at: options.at ?? at, knownAt: options.knownAt }, options);
    const codes = (items: { procedureCode: string }[]) => items.map((i) => i.procedureCode);

    it('pages through every procedure in force exactly once, in code order', async () => {
      const pages = [await page({ page: 1, pageSize: 10 }), await page({ page: 2, pageSize: 10 }), await page({ page: 3, pageSize: 10 })];
      expect(pages.map((p) => p.items.length)).toEqual([10, 10, 2]);
      expect(pages.map((p) => p.total)).toEqual([22, 22, 22]);
      expect(pages.flatMap((p) => codes(p.items))).toEqual(codes(inForce));
      expect(pages[0].items[0]).toMatchObject({ procedureCode: '2.000001', name: 'Thủ tục thử 2.000001', onlineMode: 'FULL_PROCESS', paperIntake: 'DISABLED', inForceFrom: '2024-01-01' });
    });

    it('answers a page past the end with no items and the right total', async () => {
      const past = await page({ page: 4, pageSize: 10 });
      expect(past.items).toEqual([]);
      expect(past.total).toBe(22);
      expect(past.position).toBeGreaterThan(0);
      const pastKnown = await page({ page: 9, pageSize: 10, knownAt: new Date().toISOString() });
      expect(pastKnown).toMatchObject({ items: [], total: 22 });
      const partial = inForce.filter((p) => p.onlineMode === 'PARTIAL').length;
      expect(await page({ page: 2, pageSize: 100, onlineMode: 'PARTIAL' })).toMatchObject({ items: [], total: partial });
    });

    it('filters by online mode and paper intake, alone and together', async () => {
      for (const onlineMode of [undefined, ...MODES]) {
        for (const paperIntake of [undefined, 'ACCEPTED', 'DISABLED']) {
          const expected = inForce.filter((p) => (!onlineMode || p.onlineMode === onlineMode) && (!paperIntake || p.paperIntake === paperIntake));
          for (const knownAt of [undefined, new Date().toISOString()]) {
            const first = await page({ onlineMode, paperIntake, page: 1, pageSize: 5, knownAt });
            expect({ onlineMode, paperIntake, total: first.total }).toEqual({ onlineMode, paperIntake, total: expected.length });
            expect(codes(first.items)).toEqual(codes(expected.slice(0, 5)));
            const whole = await page({ onlineMode, paperIntake, page: 1, pageSize: 100, knownAt });
            expect(whole.items.map((i) => [i.procedureCode, i.onlineMode, i.paperIntake])).toEqual(
              expected.map((p) => [p.procedureCode, p.onlineMode, p.paperIntake]),
            );
          }
        }
      }
    });

    it('pages on other dates too, and through the query handler with its defaults', async () => {
      expect((await page({ page: 1, pageSize: 100, at: '2024-05-31' })).total).toBe(23);
      expect((await page({ page: 1, pageSize: 100, at: '2023-12-31' })).total).toBe(0);
      expect((await page({ page: 3, pageSize: 10, at: '2031-01-01' })).items.length).toBe(3);
      const result = await new ListProceduresHandler(h.reader).execute(new ListProceduresQuery(A, { at }));
      expect(result).toMatchObject({ authorityCode: A, at, page: 1, pageSize: 50, total: 22 });
      expect(result.items).toHaveLength(22);
    });
  });

  describe('batch boundaries', () => {
    it('do not change the read models: a replay one event per batch equals the live projection', async () => {
      const live = await snapshotReadModels(h.dataSource, 'read_model', { compact: true });
      expect(live.procedure_transitions.length).toBeGreaterThan(40);
      for (const batchSize of [1, 2, 3]) {
        expect(await replaySnapshot(h.dataSource, h.store, { batchSize, compact: true })).toEqual(live);
      }
    }, 30_000);
  });

  describe('a national random-ish data set (63 authorities x 40 procedures over 2 years)', () => {
    let replay: IndependentReplay;
    const codes = shippedAuthorities().provinces2023.map((a) => a.code);
    let dates: string[];
    beforeAll(async () => {
      const seeded = await seedNational(h.store, { procedures: 40, years: 2, concurrency: 16 });
      expect(seeded.events).toBeGreaterThan(10_000);
      await h.runner({ batchSize: 2000 }).catchUp();
      replay = await IndependentReplay.load(h.store);
      const changeDates = replay.effectiveDates().filter((d) => d >= '2023-01-01' && d <= '2025-12-31');
      const picked = Array.from({ length: 9 }, (_, i) => changeDates[Math.floor(((i + 0.5) * changeDates.length) / 9)]);
      dates = [...new Set(['2022-12-31', '2023-01-01', '2023-01-02', ...picked.flatMap((d) => [addDays(d, -1), d]), '2025-01-01', vietnamDate(new Date()), '2031-01-01'])];
      expect(dates.length).toBeGreaterThanOrEqual(20);
    }, 60_000);

    it('gives the same counts from the pre-aggregation, from the intervals (knownAt = now) and from an independent replay', async () => {
      const knownAt = new Date().toISOString();
      for (const at of dates) {
        const fast = (await h.reader.counts(codes, { at })).counts;
        const bitemporal = (await h.reader.counts(codes, { at, knownAt })).counts;
        const expected = replay.counts(codes, at);
        expect({ at, fast: Object.fromEntries(fast) }).toEqual({ at, fast: Object.fromEntries(expected) });
        expect({ at, bitemporal: Object.fromEntries(bitemporal) }).toEqual({ at, bitemporal: Object.fromEntries(expected) });
      }
    }, 30_000);

    it('gives the counts as known at earlier instants, as the independent replay does', async () => {
      const log = (await h.store.readAll({ after: 0, limit: 1_000_000 })).filter((e) => e.metadata.actor === 'seed');
      const instants = [0.1, 0.5, 0.9].map((f) => log[Math.floor(f * log.length)].metadata.recordedAt);
      for (const knownAt of [...instants, shiftInstant(instants[1], -1)]) {
        for (const at of dates.filter((_, i) => i % 3 === 0)) {
          const actual = (await h.reader.counts(codes, { at, knownAt })).counts;
          expect({ at, knownAt, counts: Object.fromEntries(actual) }).toEqual({ at, knownAt, counts: Object.fromEntries(replay.counts(codes, at, knownAt)) });
        }
      }
    }, 30_000);

    it('counts the transitions in (from, to] as the independent replay does', async () => {
      const knownAt = (await h.store.readAll({ after: 0, limit: 1_000_000 })).at(-9_000)!.metadata.recordedAt;
      for (const authority of ['01', '74', '79', '96']) {
        for (const [from, to] of [[dates[3], dates[10]], [dates[0], dates[dates.length - 1]], [dates[5], dates[6]]]) {
          expect(await h.reader.transitions(authority, from, to)).toEqual(replay.transitions(authority, from, to));
          expect(await h.reader.transitions(authority, from, to, knownAt)).toEqual(replay.transitions(authority, from, to, knownAt));
        }
      }
    }, 30_000);

    it('lists the procedures in force, paged, with their totals, as the independent replay does, for one unit and for merged catalogues', async () => {
      const knownAt = new Date().toISOString();
      for (const units of [['74'], ['79', '74', '77'], ['96', '01']]) {
        for (const at of dates.filter((_, i) => i % 4 === 1)) {
          const offered = replay.states(at).flatMap((p) => (p.status === 'offered' && units.includes(p.authorityCode) ? [p] : []));
          for (const [onlineMode, paperIntake] of [[undefined, undefined], ['PARTIAL', undefined], [undefined, 'ACCEPTED'], ['FULL_PROCESS', 'DISABLED']]) {
            const expected = offered
              .filter((p) => (!onlineMode || p.onlineMode === onlineMode) && (!paperIntake || p.paperIntake === paperIntake))
              .map((p) => `${p.procedureCode}@${p.authorityCode}:${p.onlineMode}/${p.paperIntake}`)
              .sort();
            for (const axis of [{}, { knownAt }]) {
              const listed: string[] = [];
              const totals = new Set<number>();
              for (let page = 1; page <= Math.ceil(expected.length / 17) + 1; page++) {
                const found = await h.reader.procedures(units, { at, ...axis }, { onlineMode, paperIntake, page, pageSize: 17 });
                totals.add(found.total);
                listed.push(...found.items.map((i) => `${i.procedureCode}@${i.authorityCode}:${i.onlineMode}/${i.paperIntake}`));
              }
              const context = { units, at, onlineMode, paperIntake, axis };
              expect({ context, totals: [...totals] }).toEqual({ context, totals: [expected.length] });
              expect({ context, listed }).toEqual({ context, listed: expected });
            }
          }
        }
      }
    }, 60_000);

    it('keeps the read-model invariants', async () => {
      expect(await readModelInvariantViolations(h.dataSource)).toEqual([]);
    });
  });

  describe('idempotency', () => {
    it('changes nothing when catching up twice, or when the whole log is applied again', async () => {
      const before = await snapshotReadModels(h.dataSource);
      const head = await h.store.headPosition();
      expect(before.projection_checkpoints).toEqual([{ name: 'procedures', position: head }]);
      expect(await project()).toBe(0);
      expect(await snapshotReadModels(h.dataSource)).toEqual(before);

      await h.dataSource.query(`UPDATE read_model.projection_checkpoints SET position = 0`);
      expect(await h.runner({ batchSize: 2500 }).catchUp()).toBeGreaterThan(10_000);
      expect(await snapshotReadModels(h.dataSource)).toEqual(before);

      await h.dataSource.query(`UPDATE read_model.projection_checkpoints SET position = $1`, [Math.floor(head / 2)]);
      await h.runner({ batchSize: 777 }).catchUp();
      expect(await snapshotReadModels(h.dataSource)).toEqual(before);
    }, 30_000);

    it('plans nothing for a batch already applied', async () => {
      const batch = await h.store.readAll({ after: 100, limit: 500 });
      const sql = (text: string, params?: unknown[]) => h.dataSource.query(text, params);
      const keys = batch.map((e) => e.data as { authorityCode: string; procedureCode: string });
      const plan = planBatch(batch, await loadProcedures(sql, 'read_model', keys));
      expect(plan).toEqual({
        procedures: [],
        closeIntervals: [],
        deleteIntervals: [],
        insertIntervals: [],
        transitions: [],
        supersedeTransitions: [],
        summaryDeltas: [],
        skipped: batch.length,
      });
    });

    it('equals a full replay into a fresh schema', async () => {
      expect(await replaySnapshot(h.dataSource, h.store, { batchSize: 5000, compact: true })).toEqual(
        await snapshotReadModels(h.dataSource, 'read_model', { compact: true }),
      );
    }, 30_000);
  });
});
