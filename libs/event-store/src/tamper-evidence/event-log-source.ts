import type { EventStore, RecordedEvent } from '../event-store.port.js';

/** A checkpoint of the running digest of the global log (see hash-chain.ts `nextLogDigest`). */
export interface LogDigestCheckpoint {
  /** The global position the digest was computed up to (inclusive). */
  position: number;
  digest: string;
  /** How many events the digest covers, from the start of the log. */
  events: number;
}

/** An event as read for verification; `contentHash` when the store keeps it apart. */
export interface StoredEvent extends RecordedEvent {
  contentHash?: string;
}

/** Just what the log digest needs of an event, in position order. */
export interface LogEntryHash {
  globalPosition: number;
  hash: string | undefined;
}

/**
 * What the EventLogVerifier reads. `storeEventLogSource` gives one over any EventStore, through the
 * port; the PostgreSQL adapter has a faster one (`PostgresEventLog`) that also keeps log digest
 * checkpoints. A source shows rows as they are stored, edited ones included: it must not repair,
 * skip or reject what it reads.
 *
 * @example
 *   const verifier = new EventLogVerifier(storeEventLogSource(new InMemoryEventStore()));
 */
export interface EventLogSource {
  /** Position of the last event a reader may see now; every event at or below it is final. */
  headPosition(): Promise<number>;
  /** Events with `after < globalPosition <= upTo`, in position order, at most `limit`. */
  readLogHashes(after: number, upTo: number, limit: number): Promise<LogEntryHash[]>;
  /** Every event at or below `upTo`, stream after stream, each stream in revision order. */
  readStreams(upTo: number, batchSize: number): AsyncIterable<StoredEvent[]>;
  /** The stored digest checkpoints in position order; none when the store keeps none. */
  readCheckpoints(): Promise<LogDigestCheckpoint[]>;
  /** Extends the checkpoints over the events committed since the last one; the last, or null when none are kept. */
  advanceLogDigest(): Promise<LogDigestCheckpoint | null>;
}

/**
 * An EventLogSource over any adapter, through the EventStore port alone: streams are found by a
 * pass over the log, then read one by one. No checkpoints are kept, so only the hash chains and the
 * digest of the log as it stands now can be reported.
 */
export function storeEventLogSource(store: EventStore): EventLogSource {
  return {
    headPosition: () => store.headPosition(),
    async readLogHashes(after, upTo, limit) {
      const events = await store.readAll({ after, limit });
      return events.filter((e) => e.globalPosition <= upTo).map((e) => ({ globalPosition: e.globalPosition, hash: e.hash }));
    },
    async *readStreams(upTo, batchSize) {
      const streamIds = new Set<string>();
      for (let after = 0; ; ) {
        const events = await store.readAll({ after, limit: batchSize });
        const inRange = events.filter((e) => e.globalPosition <= upTo);
        for (const event of inRange) streamIds.add(event.streamId);
        if (inRange.length < events.length || events.length === 0) break;
        after = events[events.length - 1].globalPosition;
      }
      for (const streamId of [...streamIds].sort()) {
        for (let fromRevision = 0; ; ) {
          const events = await store.readStream(streamId, { fromRevision, maxCount: batchSize });
          const inRange = events.filter((e) => e.globalPosition <= upTo);
          if (inRange.length > 0) yield inRange;
          if (events.length < batchSize) break;
          fromRevision = events[events.length - 1].revision + 1;
        }
      }
    },
    readCheckpoints: async () => [],
    advanceLogDigest: async () => null,
  };
}
