import { DuplicateEventIds, WrongExpectedVersion, type EventStore, type NewEvent, type RecordedEvent } from '../event-store.port.js';

/** Where a copy has got to in the source log; kept outside both stores (the cli keeps it in PostgreSQL). */
export interface CopyCheckpoint {
  /** The source position copied up to; undefined when this copy never started. */
  load(): Promise<number | undefined>;
  save(position: number): Promise<void>;
}

export interface CopyEventLogOptions {
  checkpoint: CopyCheckpoint;
  /** Source events read at a time, and how often the checkpoint is saved (default 500). */
  batchSize?: number;
  /** Stops after the append in progress; the checkpoint then says where to resume. */
  signal?: AbortSignal;
  onProgress?: (progress: { position: number; head: number; copied: number }) => void;
}

export interface CopyEventLogResult {
  /** Events appended to the target, or found there already from an interrupted run, by this run. */
  copied: number;
  /** The last source position copied. */
  position: number;
  /** The source's head when the copy ended. */
  head: number;
  /** False when the signal stopped the copy before the end of the source log. */
  completed: boolean;
}

/** The target does not hold what the copy expects: it has other events, or events of its own. */
export class EventLogCopyConflict extends Error {
  readonly code = 'EVENT_LOG_COPY_CONFLICT';
  constructor(message: string) {
    super(message);
    this.name = 'EventLogCopyConflict';
  }
}

/**
 * Copies a whole event log from one store to another, in the source's global order, keeping each
 * event's id, type, schema version, data and metadata (recordedAt included). Positions are the
 * target's own: read models built on the source must be rebuilt on the target.
 *
 * Consecutive events of one stream go in one append, with the exact expected revision; so the
 * target's log has the source's order, and each stream its revisions.
 *
 * Resuming: the checkpoint is saved after each batch. After a crash the target may hold events past
 * it; re-appending them is harmless, since both stores answer a repeat of an append (same ids, same
 * expected revision) with the original events, and a stream found further on than expected is
 * compared with the source, event by event, before the rest is appended.
 *
 * @example
 *   const result = await copyEventLog(postgresStore, kurrentStore, { checkpoint, onProgress });
 *   if (!result.completed) console.log(`stopped at ${result.position}: run again to resume`);
 */
export async function copyEventLog(source: EventStore, target: EventStore, options: CopyEventLogOptions): Promise<CopyEventLogResult> {
  const { checkpoint, signal } = options;
  const batchSize = options.batchSize ?? 500;
  let position = await checkpoint.load();
  if (position === undefined) {
    const targetHead = await target.headPosition();
    if (targetHead !== 0) {
      throw new EventLogCopyConflict(
        `the target already holds events (head position ${targetHead}) and no earlier copy from this source is recorded: refusing to merge two logs`,
      );
    }
    position = 0;
    await checkpoint.save(position); // started: a crash from here on resumes instead of refusing
  }

  let head = await source.headPosition();
  let copied = 0;
  while (!signal?.aborted) {
    const batch = await source.readAll({ after: position, limit: batchSize });
    if (batch.length === 0) {
      await checkpoint.save(position);
      return { copied, position, head: Math.max(head, position), completed: true };
    }
    for (const run of runsOfOneStream(batch)) {
      if (signal?.aborted) break;
      copied += await appendRun(target, run);
      position = run[run.length - 1].globalPosition;
      head = Math.max(head, position);
      options.onProgress?.({ position, head, copied });
    }
    await checkpoint.save(position);
  }
  return { copied, position, head, completed: false };
}

/** Splits a batch into runs of consecutive events of the same stream, in order. */
export function runsOfOneStream(events: readonly RecordedEvent[]): RecordedEvent[][] {
  const runs: RecordedEvent[][] = [];
  for (const event of events) {
    const run = runs[runs.length - 1];
    if (run && run[0].streamId === event.streamId) run.push(event);
    else runs.push([event]);
  }
  return runs;
}

async function appendRun(target: EventStore, run: readonly RecordedEvent[]): Promise<number> {
  const streamId = run[0].streamId;
  try {
    await target.appendToStream(streamId, run.map(asNewEvent), { expectedRevision: expectedBefore(run[0]) });
    return run.length;
  } catch (error) {
    if (!(error instanceof WrongExpectedVersion) && !(error instanceof DuplicateEventIds)) throw error;
  }
  // The target's stream is elsewhere than expected: an interrupted run may have copied part of it.
  const existing = await target.readStream(streamId, { fromRevision: run[0].revision, maxCount: run.length });
  existing.forEach((found, i) => {
    if (found.id !== run[i].id || found.type !== run[i].type) {
      throw new EventLogCopyConflict(
        `${streamId} revision ${run[i].revision} is event ${found.id} (${found.type}) in the target but ${run[i].id} (${run[i].type}) in the source`,
      );
    }
  });
  const rest = run.slice(existing.length);
  if (rest.length === 0) return run.length;
  try {
    await target.appendToStream(streamId, rest.map(asNewEvent), { expectedRevision: expectedBefore(rest[0]) });
  } catch (error) {
    if (!(error instanceof WrongExpectedVersion) && !(error instanceof DuplicateEventIds)) throw error;
    const actual = error instanceof WrongExpectedVersion ? ` (it is at ${error.actual})` : '';
    throw new EventLogCopyConflict(
      `${streamId} in the target does not end where the source's revision ${rest[0].revision} follows${actual}: ` +
        'was the target written to by something else?',
    );
  }
  return run.length;
}

function expectedBefore(event: RecordedEvent): number | 'no_stream' {
  return event.revision === 0 ? 'no_stream' : event.revision - 1;
}

function asNewEvent(event: RecordedEvent): NewEvent {
  return { id: event.id, type: event.type, schemaVersion: event.schemaVersion, data: event.data, metadata: { ...event.metadata } };
}
