import { seedNational, shippedAuthorities } from '@tthc/application';
import { InvalidCommand, type ProcedureCommand } from '@tthc/domain';
import type { RecordedEvent } from '@tthc/event-store';
import { ProjectionBehind } from '../projection/projection-behind.error.js';
import { createReadModelHarness, type ReadModelHarness } from '../testing/read-model-harness.js';
import { appendRecordedAt, cmd, IndependentReplay, readWholeLog, sleep } from '../testing/read-model-test-kit.js';
import {
  GetAuthoritySummaryHandler,
  GetAuthoritySummaryQuery,
  GetMovementHandler,
  GetMovementQuery,
  GetNationalSummaryHandler,
  GetNationalSummaryQuery,
  ListProceduresHandler,
  ListProceduresQuery,
} from './read-model.queries.js';

/** Where each appended command ends in the log: the positions a command's reply (and a caught-up projector) reports. */
const lastPositionOf = (result: { events: { globalPosition: number }[] }) => result.events[result.events.length - 1].globalPosition;

describe('answers as of a global log position (asOfPosition)', () => {
  let h: ReadModelHarness;
  let log: RecordedEvent[];
  const A = '48';
  const positions: number[] = []; // after each command
  const run = async (commands: ProcedureCommand[]) => {
    for (const c of commands) {
      positions.push(lastPositionOf(await h.execute(c)));
      await sleep(2); // distinct record instants
    }
  };
  /** The counts the log implies as of position `p`: the independent replay of the events up to it. */
  const expectedAsOf = (p: number, codes: string[], at: string) => new IndependentReplay(log.filter((e) => e.globalPosition <= p)).counts(codes, at);
  const transitionsAsOf = (p: number, from: string, to: string) =>
    new IndependentReplay(log.filter((e) => e.globalPosition <= p)).transitions(A, from, to);

  beforeAll(async () => {
    h = await createReadModelHarness();
    await run([
      cmd.register(A, '1.300001', 'FULL_PROCESS', '2024-01-01'),
      cmd.register(A, '1.300002', 'PARTIAL', '2024-01-15', 'DISABLED'),
      cmd.disablePaper(A, '1.300001', '2024-02-01'),
      cmd.reclassify(A, '1.300002', 'INFORMATION_ONLY', '2024-03-01'), // two events: downgrade and paper re-enabled
      cmd.register(A, '1.300003', 'INFORMATION_ONLY', '2024-01-01'),
      cmd.withdraw(A, '1.300001', '2024-03-01'),
      cmd.reclassify(A, '1.300003', 'FULL_PROCESS', '2024-02-10'),
    ]);
    // Recorded late: effective before things already recorded.
    positions.push(lastPositionOf(await appendRecordedAt(h.store, cmd.register(A, '1.300004', 'PARTIAL', '2023-12-01'), new Date().toISOString())));
    await h.runner({ batchSize: 3 }).catchUp();
    log = await readWholeLog(h.store);
  }, 60_000);
  afterAll(() => h?.close());

  const dates = ['2023-11-30', '2023-12-01', '2024-01-01', '2024-01-15', '2024-02-01', '2024-02-10', '2024-03-01', '2030-01-01'];

  it('counts, on every date, what the log up to each position implies', async () => {
    expect(positions).toHaveLength(8);
    for (const p of [0, ...positions]) {
      for (const at of dates) {
        const { counts, position } = await h.reader.counts([A], { at, asOfPosition: p });
        expect({ p, at, counts: counts.get(A) }).toEqual({ p, at, counts: expectedAsOf(p, [A], at).get(A) });
        expect(position).toBe(p);
      }
    }
  });

  it('counts the transitions recorded up to each position', async () => {
    for (const p of positions) {
      expect({ p, t: await h.reader.transitions(A, '2023-01-01', '2030-01-01', undefined, p) }).toEqual({
        p,
        t: transitionsAsOf(p, '2023-01-01', '2030-01-01'),
      });
    }
  });

  it('lists the procedures in force as of each position', async () => {
    const list = new ListProceduresHandler(h.reader);
    const before = await list.execute(new ListProceduresQuery(A, { at: '2024-02-15', asOfPosition: positions[2] }));
    expect(before.items.map((i) => [i.procedureCode, i.onlineMode, i.paperIntake])).toEqual([
      ['1.300001', 'FULL_PROCESS', 'DISABLED'],
      ['1.300002', 'PARTIAL', 'DISABLED'],
    ]);
    expect(before).toMatchObject({ position: positions[2], asOfPosition: positions[2], knownAt: null, total: 2 });
    const after = await list.execute(new ListProceduresQuery(A, { at: '2024-03-01', asOfPosition: positions[7] }));
    expect(after.items.map((i) => [i.procedureCode, i.onlineMode, i.paperIntake])).toEqual([
      ['1.300002', 'INFORMATION_ONLY', 'ACCEPTED'],
      ['1.300003', 'FULL_PROCESS', 'ACCEPTED'],
      ['1.300004', 'PARTIAL', 'ACCEPTED'],
    ]);
  });

  it('regenerates exactly what a summary, a movement and the national table answered at an earlier position', async () => {
    const summary = new GetAuthoritySummaryHandler(h.reader);
    const movement = new GetMovementHandler(h.reader);
    const national = new GetNationalSummaryHandler(h.reader);
    const then = {
      summary: await summary.execute(new GetAuthoritySummaryQuery(A, '2024-03-01')),
      movement: await movement.execute(new GetMovementQuery(A, '2024-01-01', '2024-03-01')),
      national: await national.execute(new GetNationalSummaryQuery('2024-03-01')),
    };
    const p = then.summary.position;
    expect(p).toBe(positions[7]);

    // The log moves on: more decisions, some effective on the same dates.
    await run([
      cmd.register(A, '1.300005', 'FULL_PROCESS', '2024-01-01'),
      cmd.reclassify(A, '1.300003', 'PARTIAL', '2024-03-01'),
      cmd.register('79', '1.300006', 'PARTIAL', '2024-02-01'),
    ]);
    await h.runner().catchUp();
    const now = await summary.execute(new GetAuthoritySummaryQuery(A, '2024-03-01'));
    expect(now.total).toBe(then.summary.total + 1);

    const again = {
      summary: await summary.execute(new GetAuthoritySummaryQuery(A, '2024-03-01', undefined, p)),
      movement: await movement.execute(new GetMovementQuery(A, '2024-01-01', '2024-03-01', undefined, p)),
      national: await national.execute(new GetNationalSummaryQuery('2024-03-01', undefined, p)),
    };
    const sameAs = <T extends object>(answer: T) => ({ ...answer, knownAt: null, asOfPosition: p });
    expect(again.summary).toEqual(sameAs(then.summary));
    expect(again.movement).toEqual({
      ...then.movement,
      asOfPosition: p,
      from: sameAs(then.movement.from),
      to: sameAs(then.movement.to),
    });
    expect(again.national).toEqual({
      ...sameAs(then.national),
      authorities: then.national.authorities.map(sameAs),
      totals: sameAs(then.national.totals),
    });
  });

  it('refuses a position the read models have not reached, rather than answer for it', async () => {
    const checkpoint = await h.reader.position();
    await expect(h.reader.counts([A], { at: '2024-03-01', asOfPosition: checkpoint + 1 })).rejects.toBeInstanceOf(ProjectionBehind);
    await expect(h.reader.transitions(A, '2024-01-01', '2024-03-01', undefined, checkpoint + 1)).rejects.toBeInstanceOf(ProjectionBehind);
    await expect(
      new GetMovementHandler(h.reader).execute(new GetMovementQuery(A, '2024-01-01', '2024-03-01', undefined, checkpoint + 1)),
    ).rejects.toMatchObject({ requested: checkpoint + 1, reached: checkpoint });
    await expect(h.reader.counts([A], { at: '2024-03-01', asOfPosition: checkpoint })).resolves.toMatchObject({ position: checkpoint });
  });

  it('refuses asOfPosition together with knownAt, and a position that is not one', async () => {
    const summary = new GetAuthoritySummaryHandler(h.reader);
    for (const [knownAt, asOf] of [['2024-01-01T00:00:00Z', 3], [undefined, -1], [undefined, 1.5]] as const) {
      const refusal = await summary.execute(new GetAuthoritySummaryQuery(A, '2024-03-01', knownAt, asOf)).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(InvalidCommand);
      expect((refusal as InvalidCommand).errors).toEqual([{ field: 'asOfPosition', message: expect.any(String) }]);
    }
  });

  describe('on a national data set projected in small batches', () => {
    let replayLog: RecordedEvent[];
    const codes = shippedAuthorities().provinces2023.map((a) => a.code);
    beforeAll(async () => {
      await seedNational(h.store, { procedures: 6, years: 2, concurrency: 8 });
      await h.runner({ batchSize: 250 }).catchUp();
      replayLog = await readWholeLog(h.store);
    }, 60_000);

    it('answers every authority as the log stood at positions between whole appends', async () => {
      // The last event of each of a few appends (one stream each): positions a reply reports.
      const ends = replayLog.filter((e, i) => replayLog[i + 1]?.streamId !== e.streamId);
      const picked = [0.2, 0.5, 0.8, 1].map((f) => ends[Math.floor(f * (ends.length - 1))].globalPosition);
      for (const p of picked) {
        for (const at of ['2023-01-01', '2023-07-01', '2024-06-30', '2030-01-01']) {
          const { counts } = await h.reader.counts(codes, { at, asOfPosition: p });
          const expected = new IndependentReplay(replayLog.filter((e) => e.globalPosition <= p)).counts(codes, at);
          expect({ p, at, counts: Object.fromEntries(counts) }).toEqual({ p, at, counts: Object.fromEntries(expected) });
        }
      }
    });
  });
});
