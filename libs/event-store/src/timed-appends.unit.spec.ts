import { InMemoryEventStore } from './adapters/in-memory/in-memory-event-store.js';
import { timedAppends, type AppendOutcome } from './timed-appends.js';

const event = (id: string) => ({ id, type: 'Tested', schemaVersion: 1, data: { n: 1 }, metadata: { actor: 'test', correlationId: 'c', causationId: null } });

describe('timedAppends', () => {
  it('reports every append with its duration and outcome, and changes nothing else', async () => {
    const seen: [number, AppendOutcome][] = [];
    const inner = new InMemoryEventStore();
    const store = timedAppends(inner, (seconds, outcome) => seen.push([seconds, outcome]));

    await store.appendToStream('s-1', [event('00000000-0000-4000-8000-000000000001')], { expectedRevision: 'no_stream' });
    await expect(store.appendToStream('s-1', [event('00000000-0000-4000-8000-000000000002')], { expectedRevision: 'no_stream' })).rejects.toThrow();
    await store.appendToStreams([{ streamId: 's-2', events: [event('00000000-0000-4000-8000-000000000003')], expectedRevision: 'no_stream' }]);

    expect(seen.map(([, outcome]) => outcome)).toEqual(['ok', 'conflict', 'ok']);
    expect(seen.every(([seconds]) => seconds >= 0 && seconds < 5)).toBe(true);
    expect(await store.headPosition()).toBe(2);
    expect((await store.readStream('s-2')).map((e) => e.revision)).toEqual([0]);
    expect(store).toBeInstanceOf(InMemoryEventStore);
  });
});
