import { randomUUID } from 'node:crypto';
import { InMemoryEventStore } from '../adapters/in-memory/in-memory-event-store.js';
import type { NewEvent, RecordedEvent } from '../event-store.port.js';
import { EventLogVerifier } from '../tamper-evidence/event-log-verifier.js';
import { storeEventLogSource } from '../tamper-evidence/event-log-source.js';
import { EventLogImportRefused, importEventLog } from './import-event-log.js';
import { InvalidLogEntry, readLogBatches, TamperedLogEntry, toLogEntry } from './log-entry.js';

describe('importEventLog', () => {
  describe('into an empty store', () => {
    it('reproduces every event of an exported log, with the same hashes, and the log digest', async () => {
      const source = await sourceStore();
      const lines = await exportLines(source);
      const target = new InMemoryEventStore();
      const progress: string[] = [];

      const result = await importEventLog(target, () => iterate(lines), { progressEvery: 5, onProgress: (phase, n) => progress.push(`${phase} ${n}`) });

      const [before, after] = [await source.readAll(), await target.readAll()];
      expect(after).toEqual(before); // in-memory positions have no gaps, so they match too
      expect(result).toEqual({
        events: before.length,
        streams: 3,
        lastPosition: before[before.length - 1].globalPosition,
        digest: (await new EventLogVerifier(storeEventLogSource(source)).verify()).logDigest.digest,
        positionsKept: false,
        unhashed: 0,
      });
      // Appends go by runs of one stream (positions 5 to 7 are one), so the counts jump.
      expect(progress).toEqual(['check 5', 'check 10', 'import 7', 'import 10', 'import 12']);
      expect((await new EventLogVerifier(storeEventLogSource(target)).verify()).ok).toBe(true);
    });

    it('skips blank lines', async () => {
      const lines = await exportLines(await sourceStore());
      const target = new InMemoryEventStore();
      await importEventLog(target, () => iterate(['', ...lines.flatMap((l) => [l, '  '])]));
      expect(await target.headPosition()).toBe(lines.length);
    });
  });

  describe('refuses, writing nothing,', () => {
    it('a store that is not empty', async () => {
      const lines = await exportLines(await sourceStore());
      const target = await sourceStore();
      await expect(importEventLog(target, () => iterate(lines))).rejects.toThrow(EventLogImportRefused);
      await expect(importEventLog(target, () => iterate(lines))).rejects.toThrow(/not empty \(head position 12\)/);
    });

    it('an empty file', async () => {
      await expect(importEventLog(new InMemoryEventStore(), () => iterate(['']))).rejects.toThrow('the file holds no events');
    });

    it.each([
      ['a line that is not JSON', (lines: string[]) => lines.splice(3, 1, '{"globalPosition": 4,'), 'line 4: not a JSON value'],
      ['a line without a field', (lines: string[]) => lines.splice(2, 1, edit(lines[2], (e) => delete e.streamId)), 'line 3: streamId must be a non-empty string'],
      ['edited data', (lines: string[]) => lines.splice(5, 1, edit(lines[5], (e) => (e.data = { onlineMode: 'FULL_PROCESS' }))), /line 6: the hash of procedure-74:1.000002 revision 2 does not match/],
      ['an edited record time', (lines: string[]) => lines.splice(0, 1, edit(lines[0], (e) => (e.recordedAt = '2020-01-01T00:00:00.000Z'))), /line 1: the hash/],
      ['a deleted line', (lines: string[]) => lines.splice(3, 1), /line 8: procedure-74:1.000001 goes from revision 0 to 2/],
      ['lines out of order', (lines: string[]) => lines.splice(1, 2, lines[2], lines[1]), /line 3: globalPosition 2 does not follow 3/],
      ['a partial export', (lines: string[]) => lines.splice(0, 3), /line 1: procedure-74:1.000001 starts at revision 1, not 0/],
    ])('%s', async (_, change, message) => {
      const lines = await exportLines(await sourceStore());
      change(lines);
      const target = new InMemoryEventStore();
      const error = await importEventLog(target, () => iterate(lines)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidLogEntry);
      expect(error instanceof TamperedLogEntry).toBe(/hash/.test(String(message)));
      expect((error as Error).message).toMatch(message);
      expect(await target.headPosition()).toBe(0);
    });
  });

  it('imports events without hashes (from a store that keeps none) unchecked, and counts them', async () => {
    const lines = (await exportLines(await sourceStore())).map((l) => edit(l, (e) => (e.hash = null)));
    const target = new InMemoryEventStore();
    const result = await importEventLog(target, () => iterate(lines));
    expect(result).toMatchObject({ events: 12, unhashed: 12 });
    expect((await target.readAll()).every((e) => e.hash !== undefined)).toBe(true);
  });
});

const STREAMS = ['procedure-74:1.000001', 'procedure-74:1.000002', 'procedure-01:1.000003'];

async function sourceStore(): Promise<InMemoryEventStore> {
  const store = new InMemoryEventStore();
  for (let i = 0; i < 10; i++) await store.appendToStream(STREAMS[i % 3], i === 4 ? [event(i), event(i + 0.5), event(i + 0.75)] : [event(i)]);
  return store;
}

function event(n: number): NewEvent {
  return {
    id: randomUUID(),
    type: n === 0 ? 'ProcedureRegistered' : 'ProcedureUpgradedToFullProcess',
    schemaVersion: 1,
    data: { n, decisionRef: `QĐ ${n}/QĐ-UBND`, 'địa chỉ': 'Thủ Dầu Một 🇻🇳' },
    metadata: { actor: 'unit', correlationId: randomUUID(), causationId: n % 2 ? randomUUID() : null, ...(n === 3 && { channel: 'cli' }) },
  };
}

async function exportLines(store: InMemoryEventStore): Promise<string[]> {
  const lines: string[] = [];
  for await (const batch of readLogBatches(store, { batchSize: 4 })) lines.push(...batch.map((e: RecordedEvent) => JSON.stringify(toLogEntry(e))));
  return lines;
}

function edit(line: string, change: (entry: Record<string, unknown>) => void): string {
  const entry = JSON.parse(line) as Record<string, unknown>;
  change(entry);
  return JSON.stringify(entry);
}

async function* iterate(lines: readonly string[]): AsyncIterable<string> {
  yield* lines;
}
