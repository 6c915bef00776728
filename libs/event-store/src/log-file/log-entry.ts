import type { EventStore, NewEvent, RecordedEvent } from '../event-store.port.js';
import { isHash } from '../tamper-evidence/hash-chain.js';

/**
 * One event of the global log as the audit API (`GET /api/events`, as JSON or NDJSON) and the cli's
 * `export` write it, and `import` reads it: the per-procedure events endpoint's fields, plus
 * `streamId` and `hash`. Metadata members other than actor, correlationId and causationId (none are
 * written today) go in `metadata`, so that an import reproduces every one.
 */
export interface LogEntry {
  globalPosition: number;
  streamId: string;
  revision: number;
  id: string;
  type: string;
  schemaVersion: number;
  data: unknown;
  recordedAt: string;
  actor: string;
  correlationId: string;
  causationId: string | null;
  metadata?: Record<string, unknown>;
  /** The event's hash (tamper-evidence/hash-chain.ts); null from a store that keeps none. */
  hash: string | null;
}

const KNOWN_METADATA = new Set(['actor', 'correlationId', 'causationId', 'recordedAt']);

export function toLogEntry(event: RecordedEvent): LogEntry {
  const { actor, correlationId, causationId, recordedAt } = event.metadata;
  const extra = Object.entries(event.metadata).filter(([key]) => !KNOWN_METADATA.has(key));
  return {
    globalPosition: event.globalPosition,
    streamId: event.streamId,
    revision: event.revision,
    id: event.id,
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: event.data,
    recordedAt,
    actor,
    correlationId,
    causationId: causationId ?? null,
    ...(extra.length > 0 && { metadata: Object.fromEntries(extra) }),
    hash: event.hash ?? null,
  };
}

/** The event a log entry records, as the store gave it. */
export function fromLogEntry(entry: LogEntry): RecordedEvent {
  return {
    id: entry.id,
    type: entry.type,
    schemaVersion: entry.schemaVersion,
    data: entry.data,
    metadata: {
      ...entry.metadata,
      actor: entry.actor,
      correlationId: entry.correlationId,
      causationId: entry.causationId,
      recordedAt: entry.recordedAt,
    },
    streamId: entry.streamId,
    revision: entry.revision,
    globalPosition: entry.globalPosition,
    ...(entry.hash !== null && { hash: entry.hash }),
  };
}

/** The event to append again: the same id, type, schema version, data and metadata, recordedAt included. */
export function toNewEvent(entry: LogEntry): NewEvent {
  const { id, type, schemaVersion, data, metadata } = fromLogEntry(entry);
  return { id, type, schemaVersion, data, metadata };
}

/** A line of a log file that is not a log entry; `line` counts from 1. */
export class InvalidLogEntry extends Error {
  readonly code: string = 'INVALID_LOG_ENTRY';
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'InvalidLogEntry';
  }
}

/** A line whose hash does not follow from its content and its stream's previous line: the file was edited. */
export class TamperedLogEntry extends InvalidLogEntry {
  override readonly code = 'TAMPERED_LOG_ENTRY';
  constructor(line: number, reason: string) {
    super(line, reason);
    this.name = 'TamperedLogEntry';
  }
}

/** Parses and checks one NDJSON line (shape and types only; order and hashes are the importer's). */
export function parseLogEntry(text: string, line: number): LogEntry {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidLogEntry(line, 'not a JSON value');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidLogEntry(line, 'not a JSON object');
  const entry = value as Record<string, unknown>;
  const wrong = (field: string, what: string) => new InvalidLogEntry(line, `${field} must be ${what}`);
  const positiveInteger = (field: string, min: number) => {
    const n = entry[field];
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) throw wrong(field, min === 0 ? 'a non-negative integer' : 'a positive integer');
  };
  const nonEmptyString = (field: string) => {
    if (typeof entry[field] !== 'string' || entry[field] === '') throw wrong(field, 'a non-empty string');
  };
  positiveInteger('globalPosition', 1);
  nonEmptyString('streamId');
  positiveInteger('revision', 0);
  nonEmptyString('id');
  nonEmptyString('type');
  positiveInteger('schemaVersion', 0);
  if (!('data' in entry)) throw wrong('data', 'present');
  nonEmptyString('recordedAt');
  if (!Number.isFinite(Date.parse(entry.recordedAt as string))) throw wrong('recordedAt', 'an ISO-8601 instant');
  if (typeof entry.actor !== 'string') throw wrong('actor', 'a string');
  if (typeof entry.correlationId !== 'string') throw wrong('correlationId', 'a string');
  if (entry.causationId !== null && typeof entry.causationId !== 'string') throw wrong('causationId', 'a string or null');
  if (entry.metadata !== undefined && (typeof entry.metadata !== 'object' || entry.metadata === null || Array.isArray(entry.metadata))) {
    throw wrong('metadata', 'an object');
  }
  if (entry.hash !== null && !isHash(entry.hash)) throw wrong('hash', 'a sha256 in lowercase hex, or null');
  return entry as unknown as LogEntry;
}

/**
 * The log in position order after `after`, up to `upTo` (default: the head when it starts, so that
 * the result is finite and a snapshot), in batches: memory stays flat whatever the log's size.
 *
 * @example
 *   for await (const batch of readLogBatches(store, { after: 0 })) write(batch.map(toLogEntry));
 */
export async function* readLogBatches(
  store: EventStore,
  options: { after?: number; upTo?: number; batchSize?: number } = {},
): AsyncIterable<RecordedEvent[]> {
  const upTo = options.upTo ?? (await store.headPosition());
  const batchSize = options.batchSize ?? 1_000;
  for (let after = options.after ?? 0; after < upTo; ) {
    const batch = await store.readAll({ after, limit: batchSize });
    const inRange = batch.filter((e) => e.globalPosition <= upTo);
    if (inRange.length > 0) yield inRange;
    if (inRange.length < batch.length || batch.length === 0) return;
    after = batch[batch.length - 1].globalPosition;
  }
}
