import type { ProcedureEvent } from '@tthc/domain';
import type { RecordedEvent } from '@tthc/event-store';
import {
  downgradedToInformationOnly,
  paperIntakeDisabled,
  paperIntakeReenabled,
  registered,
  upgradedToFullProcess,
  withdrawn,
} from '../../../domain/src/testing/procedure-builders.js';
import { LogReplay } from './log-replay.js';

let position = 0;
/** Events of one procedure's stream, appended in order, each with its record instant. */
function stream(procedureCode: string, ...entries: [ProcedureEvent, string][]): RecordedEvent[] {
  return entries.map(([event, recordedAt], revision) => ({
    id: `id-${++position}`,
    type: event.type,
    schemaVersion: 1,
    data: { ...event.data, procedureCode },
    metadata: { actor: 'test', correlationId: 'c', causationId: null, recordedAt },
    streamId: `procedure-74:${procedureCode}`,
    revision,
    globalPosition: position,
  }));
}

const T1 = '2023-05-01T00:00:00.000Z';
const T2 = '2023-08-01T00:00:00.000Z';

describe('LogReplay (the verifier’s independent replay)', () => {
  const replay = new LogReplay();
  const a = stream(
    '1.000001',
    [registered({ onlineMode: 'PARTIAL', effectiveFrom: '2023-06-01' }), T1],
    [upgradedToFullProcess({ effectiveFrom: '2023-08-20' }), T2],
    [paperIntakeDisabled({ effectiveFrom: '2023-10-16' }), T2],
  );
  const b = stream(
    '1.000002',
    [registered({ onlineMode: 'INFORMATION_ONLY', effectiveFrom: '2023-06-01' }), T1],
    [withdrawn({ effectiveFrom: '2023-09-10' }), T2],
  );
  for (const e of [...a, ...b]) replay.apply(e);

  it('counts what is in force on any date, from the decider’s states', () => {
    expect(replay.countsAt('74', '2023-05-31')).toEqual({ total: 0, fullProcess: 0, partial: 0, informationOnly: 0, paperIntakeDisabled: 0 });
    expect(replay.countsAt('74', '2023-06-01')).toEqual({ total: 2, fullProcess: 0, partial: 1, informationOnly: 1, paperIntakeDisabled: 0 });
    expect(replay.countsAt('74', '2023-08-20')).toEqual({ total: 2, fullProcess: 1, partial: 0, informationOnly: 1, paperIntakeDisabled: 0 });
    expect(replay.countsAt('74', '2023-09-10')).toEqual({ total: 1, fullProcess: 1, partial: 0, informationOnly: 0, paperIntakeDisabled: 0 });
    expect(replay.countsAt('74', '2099-01-01')).toEqual({ total: 1, fullProcess: 1, partial: 0, informationOnly: 0, paperIntakeDisabled: 1 });
    expect(replay.countsAt('01', '2099-01-01').total).toBe(0);
  });

  it('knows every change date, each procedure’s state and revision, and the transitions by date and kind', () => {
    expect(replay.changeDates('74')).toEqual(['2023-06-01', '2023-08-20', '2023-09-10', '2023-10-16']);
    expect(replay.procedures.get('74:1.000001')).toMatchObject({ revision: 2, registeredFrom: '2023-06-01', state: { onlineMode: 'FULL_PROCESS', paperIntake: 'DISABLED' } });
    expect(replay.procedures.get('74:1.000002')?.state.status).toBe('withdrawn');
    expect(Object.fromEntries(replay.transitions)).toEqual({
      '74|2023-06-01|ProcedureRegistered': 2,
      '74|2023-08-20|ProcedureUpgradedToFullProcess': 1,
      '74|2023-09-10|ProcedureWithdrawn': 1,
      '74|2023-10-16|PaperIntakeDisabled': 1,
    });
    expect(replay.events).toBe(5);
  });

  it('tells when the next event continues the last run of one procedure’s events recorded at one instant', () => {
    const c = stream(
      '1.000003',
      [registered({ onlineMode: 'FULL_PROCESS', paperIntake: 'DISABLED', effectiveFrom: '2024-01-01' }), T1],
      [downgradedToInformationOnly({ from: 'FULL_PROCESS', effectiveFrom: '2024-05-01' }), T2],
      [paperIntakeReenabled({ effectiveFrom: '2024-05-01' }), T2],
    );
    const partial = new LogReplay();
    for (const e of [...a, ...c.slice(0, 2)]) partial.apply(e);
    expect(partial.splitRunAfter(c[2])).toBe(c[0].globalPosition);
    // Without the run: as before the downgrade; with it: downgraded, paper intake still disabled.
    expect(partial.countsAt('74', '2024-05-01', true)).toMatchObject({ fullProcess: 2, informationOnly: 0, paperIntakeDisabled: 2 });
    expect(partial.countsAt('74', '2024-05-01')).toMatchObject({ fullProcess: 1, informationOnly: 1, paperIntakeDisabled: 2 });
    expect(partial.splitRunAfter(undefined)).toBeUndefined();
    expect(partial.splitRunAfter({ ...c[2], metadata: { ...c[2].metadata, recordedAt: '2030-01-01T00:00:00.000Z' } })).toBeUndefined();
  });
});
