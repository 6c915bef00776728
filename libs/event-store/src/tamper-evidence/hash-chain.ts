import { createHash } from 'node:crypto';
import type { NewEvent, RecordedEvent } from '../event-store.port.js';
import { canonicalJson } from './canonical-json.js';

/*
 * The tamper-evidence formulas, in one place. Every adapter and the verifier use these; the
 * PostgreSQL adapter's append_events (postgres-schema.ts, version 3) computes `eventHash` in SQL
 * too, and its int spec checks that both agree.
 *
 *   contentHash = sha256(canonicalJson({ id, type, schemaVersion, data, metadata without recordedAt }))
 *   hash        = sha256(prevHash '|' streamId '|' revision '|' recordedAtMs '|' contentHash)
 *   digest_n    = sha256(digest_{n-1} hash_n)          over the global log in position order
 *
 * All hashes are lowercase hex; sha256 is taken over the UTF-8 bytes of the text shown (`|` is a
 * literal separator; the digest concatenates two hex strings). `prevHash` is the hash of the stream's
 * previous revision, GENESIS_HASH for revision 0; `recordedAtMs` is the record time in whole
 * milliseconds since the epoch, written as an integer. The split follows what an adapter knows when:
 * the content is known before the append, while the revision and the record time are assigned by
 * the store inside it. The global position is left out, because a store such as KurrentDB assigns
 * it only after the write; the log digest covers the order of the global log instead.
 */

/** The previous hash of a stream's first event, and the digest of the empty log. */
export const GENESIS_HASH = '0'.repeat(64);

const HEX_64 = /^[0-9a-f]{64}$/;
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isHash(value: unknown): value is string {
  return typeof value === 'string' && HEX_64.test(value);
}

type EventContent = Pick<NewEvent, 'id' | 'type' | 'schemaVersion' | 'data' | 'metadata'>;

/**
 * The hash of what the writer chose: id, type, schema version, data and metadata (its `recordedAt`
 * excepted: the store may assign it, and `eventHash` covers it).
 *
 * @example
 *   const contentHash = eventContentHash(newEvent); // before the append, by the adapter
 */
export function eventContentHash(event: EventContent): string {
  const { recordedAt: _recordedAt, ...metadata } = (event.metadata ?? {}) as NewEvent['metadata'];
  return sha256Hex(
    canonicalJson({ id: canonicalEventId(event.id), type: event.type, schemaVersion: event.schemaVersion, data: event.data, metadata }),
  );
}

export interface ChainLink {
  /** The hash of the stream's previous revision; GENESIS_HASH for revision 0. */
  prevHash: string;
  streamId: string;
  revision: number;
  /** Milliseconds since the epoch (an integer). */
  recordedAtMs: number;
  contentHash: string;
}

/**
 * The hash stored with an event: chained over its stream's previous event.
 *
 * @example
 *   const hash = eventHash({ prevHash: previous?.hash ?? GENESIS_HASH, streamId, revision, recordedAtMs, contentHash });
 */
export function eventHash({ prevHash, streamId, revision, recordedAtMs, contentHash }: ChainLink): string {
  if (!Number.isSafeInteger(recordedAtMs)) throw new RangeError(`recordedAtMs must be an integer, got ${recordedAtMs}`);
  return sha256Hex(`${prevHash}|${streamId}|${revision}|${recordedAtMs}|${contentHash}`);
}

/** A recorded event's hash recomputed from its fields, given its predecessor's hash. */
export function recomputeEventHash(event: RecordedEvent, prevHash: string): { contentHash: string; hash: string } {
  const contentHash = eventContentHash(event);
  const hash = eventHash({
    prevHash,
    streamId: event.streamId,
    revision: event.revision,
    recordedAtMs: recordedAtMs(event.metadata.recordedAt),
    contentHash,
  });
  return { contentHash, hash };
}

/**
 * The running digest of the global log after one more event: `sha256(digest hash)`.
 *
 * @example
 *   let digest = GENESIS_HASH;
 *   for (const event of log) digest = nextLogDigest(digest, event.hash);
 */
export function nextLogDigest(digest: string, hash: string): string {
  return sha256Hex(`${digest}${hash}`);
}

/**
 * Whole milliseconds since the epoch of an ISO-8601 instant, rounded down (stores keep milliseconds;
 * a finer instant given to one is truncated, as PostgreSQL's date_trunc and JavaScript's Date do).
 */
export function recordedAtMs(instant: string): number {
  const ms = Date.parse(instant);
  if (!Number.isFinite(ms)) throw new RangeError(`not an instant: ${instant}`);
  return ms;
}

/**
 * The form a UUID has once stored (PostgreSQL's uuid type): lowercase, hyphenated 8-4-4-4-12, so that
 * an id given as `{A0EEBC99-…}` hashes as it will read back. Anything else is left as it is.
 */
export function canonicalEventId(id: string): string {
  if (typeof id === 'string' && CANONICAL_UUID.test(id)) return id; // the usual case, as randomUUID writes it
  const hex = typeof id === 'string' ? id.replace(/^\{(.*)\}$/, '$1').replace(/-/g, '') : '';
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return id;
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
