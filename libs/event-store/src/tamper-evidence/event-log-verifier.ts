import type { EventLogSource, LogDigestCheckpoint, StoredEvent } from './event-log-source.js';
import { GENESIS_HASH, isHash, nextLogDigest, recomputeEventHash } from './hash-chain.js';

/**
 * What can be wrong with a stream's chain:
 * - `hash-mismatch`: the event's stored hash is not the one its fields and its predecessor's hash
 *   give: the event was edited (its content, stream, revision or record time), or its hash was;
 * - `broken-link`: the event follows a missing revision, so its hash cannot be checked: the rows
 *   before it were deleted;
 * - `missing-revision`: the stream skips revisions (deleted rows; `globalPosition` is null);
 * - `position-order`: the event's global position is not after its predecessor's (rows reordered);
 * - `missing-hash`: the event has no hash at all.
 */
export type ChainProblemKind = 'hash-mismatch' | 'broken-link' | 'missing-revision' | 'position-order' | 'missing-hash';

/**
 * One finding. `expected` is what the evidence recorded (the stored hash, the next revision, a
 * position after the predecessor's), `found` what the stored rows give now.
 */
export interface ChainProblem {
  streamId: string;
  revision: number;
  globalPosition: number | null;
  problem: ChainProblemKind;
  expected: string | number | null;
  found: string | number | null;
  detail: string;
}

/** A stored checkpoint that the log as it stands no longer reproduces. */
export interface LogDigestProblem {
  problem: 'digest-mismatch';
  /** The window of positions where the log changed: after the previous checkpoint, up to this one. */
  fromPosition: number;
  toPosition: number;
  /** The checkpoint's digest and event count, as recorded. */
  expected: string;
  eventsExpected: number;
  /** What the log gives now over the same positions. */
  found: string;
  eventsFound: number;
  detail: string;
}

export interface TamperEvidenceReport {
  ok: boolean;
  /** Events of the global log up to `upToPosition`. */
  eventsChecked: number;
  streamsChecked: number;
  /** The verification covers every event at or below this position (the head when it started). */
  upToPosition: number;
  chains: {
    ok: boolean;
    /** Every problem found; `problems` lists the first `maxProblems` of them. */
    problemCount: number;
    problems: ChainProblem[];
  };
  logDigest: {
    ok: boolean;
    checkpointsChecked: number;
    /** The digest of the whole log up to `upToPosition`, as recomputed: keep it to compare later. */
    digest: string;
    problemCount: number;
    problems: LogDigestProblem[];
  };
}

export interface VerifyOptions {
  /** How many problems of each kind to list (all are counted); default 1,000. */
  maxProblems?: number;
  /** Events read per query; default 5,000. */
  batchSize?: number;
  /** Progress: events checked in each pass, of the total found by the first. */
  onProgress?: (pass: 'log' | 'streams', done: number, total: number) => void;
}

/**
 * Checks the tamper evidence of an event store: every stream's hash chain, and the running digest of
 * the global log against its stored checkpoints (advancing them first over new events). An edited
 * event breaks its hash; a deleted one leaves a missing revision (or, at a stream's end, a checkpoint
 * that no longer matches); reordered ones break the position order or the digest. Someone who can
 * rewrite the whole table can also rewrite the hashes: the checkpoints, and digests kept outside the
 * database (printed by `export`, returned here), are what detects that.
 *
 * @example
 *   const report = await new EventLogVerifier(new PostgresEventLog(pool)).verify();
 *   if (!report.ok) console.error(report.chains.problems, report.logDigest.problems);
 */
export class EventLogVerifier {
  constructor(private readonly source: EventLogSource) {}

  /**
   * Extends the store's log digest checkpoints over the events committed since the last one, and
   * returns the last (null from a store that keeps none): `export` compares its own digest with it.
   */
  advanceLogDigest(): Promise<LogDigestCheckpoint | null> {
    return this.source.advanceLogDigest();
  }

  async verify(options: VerifyOptions = {}): Promise<TamperEvidenceReport> {
    const maxProblems = options.maxProblems ?? 1_000;
    const batchSize = options.batchSize ?? 5_000;
    await this.source.advanceLogDigest();
    const checkpoints = await this.source.readCheckpoints();
    const head = await this.source.headPosition();
    // A checkpoint beyond the head means events at its end are gone: verify up to it all the same.
    const upToPosition = Math.max(head, checkpoints.length > 0 ? checkpoints[checkpoints.length - 1].position : 0);

    const digest = await this.verifyDigest(upToPosition, checkpoints, batchSize, maxProblems, options.onProgress);
    const chains = await this.verifyChains(upToPosition, batchSize, maxProblems, digest.eventsChecked, options.onProgress);
    return {
      ok: chains.problemCount === 0 && digest.problemCount === 0,
      eventsChecked: digest.eventsChecked,
      streamsChecked: chains.streamsChecked,
      upToPosition,
      chains: { ok: chains.problemCount === 0, problemCount: chains.problemCount, problems: chains.problems },
      logDigest: {
        ok: digest.problemCount === 0,
        checkpointsChecked: digest.checkpointsChecked,
        digest: digest.digest,
        problemCount: digest.problemCount,
        problems: digest.problems,
      },
    };
  }

  /**
   * The running digest, recomputed from the start of the log and compared at every checkpoint. After
   * a mismatch it carries on from the checkpoint's own digest, so that each window reports only
   * what changed in it.
   */
  private async verifyDigest(
    upTo: number,
    checkpoints: readonly LogDigestCheckpoint[],
    batchSize: number,
    maxProblems: number,
    onProgress: VerifyOptions['onProgress'],
  ) {
    const problems: LogDigestProblem[] = [];
    let problemCount = 0;
    let digest = GENESIS_HASH;
    let events = 0;
    let eventsChecked = 0;
    let next = 0; // the next checkpoint to compare
    let windowStart = 0;
    const compareUpTo = (position: number) => {
      while (next < checkpoints.length && checkpoints[next].position <= position) {
        const checkpoint = checkpoints[next++];
        if (checkpoint.digest !== digest || checkpoint.events !== events) {
          problemCount++;
          if (problems.length < maxProblems) {
            const lost = checkpoint.events - events;
            problems.push({
              problem: 'digest-mismatch',
              fromPosition: windowStart,
              toPosition: checkpoint.position,
              expected: checkpoint.digest,
              eventsExpected: checkpoint.events,
              found: digest,
              eventsFound: events,
              detail:
                lost > 0
                  ? `${lost} event(s) recorded between positions ${windowStart} and ${checkpoint.position} are gone`
                  : lost < 0
                    ? `${-lost} event(s) between positions ${windowStart} and ${checkpoint.position} were not there when the checkpoint was taken`
                    : `the events between positions ${windowStart} and ${checkpoint.position} were edited or reordered`,
            });
          }
          digest = checkpoint.digest;
          events = checkpoint.events;
        }
        windowStart = checkpoint.position;
      }
    };
    for (let after = 0; after < upTo; ) {
      const batch = await this.source.readLogHashes(after, upTo, batchSize);
      if (batch.length === 0) break;
      for (const entry of batch) {
        compareUpTo(entry.globalPosition - 1);
        digest = nextLogDigest(digest, entry.hash ?? '');
        events++;
        eventsChecked++;
      }
      after = batch[batch.length - 1].globalPosition;
      onProgress?.('log', after, upTo);
    }
    compareUpTo(Number.MAX_SAFE_INTEGER);
    return { digest, eventsChecked, checkpointsChecked: checkpoints.length, problems, problemCount };
  }

  private async verifyChains(
    upTo: number,
    batchSize: number,
    maxProblems: number,
    total: number,
    onProgress: VerifyOptions['onProgress'],
  ) {
    const problems: ChainProblem[] = [];
    let problemCount = 0;
    const report = (problem: ChainProblem) => {
      problemCount++;
      if (problems.length < maxProblems) problems.push(problem);
    };
    let streamsChecked = 0;
    let checked = 0;
    let stream: { id: string; nextRevision: number; prevHash: string; prevPosition: number } | undefined;
    for await (const batch of this.source.readStreams(upTo, batchSize)) {
      for (const event of batch) {
        if (stream?.id !== event.streamId) {
          stream = { id: event.streamId, nextRevision: 0, prevHash: GENESIS_HASH, prevPosition: 0 };
          streamsChecked++;
        }
        checkEvent(event, stream, report);
        checked++;
      }
      onProgress?.('streams', checked, total);
    }
    return { streamsChecked, problems, problemCount };
  }
}

function checkEvent(
  event: StoredEvent,
  stream: { id: string; nextRevision: number; prevHash: string; prevPosition: number },
  report: (problem: ChainProblem) => void,
): void {
  const at = { streamId: event.streamId, revision: event.revision, globalPosition: event.globalPosition };
  const gap = event.revision > stream.nextRevision;
  if (gap) {
    const missing = event.revision - stream.nextRevision;
    report({
      streamId: event.streamId,
      revision: stream.nextRevision,
      globalPosition: null,
      problem: 'missing-revision',
      expected: stream.nextRevision,
      found: event.revision,
      detail:
        missing === 1
          ? `revision ${stream.nextRevision} is missing: the stream goes on at revision ${event.revision}`
          : `revisions ${stream.nextRevision} to ${event.revision - 1} are missing`,
    });
  }
  if (event.globalPosition <= stream.prevPosition) {
    report({
      ...at,
      problem: 'position-order',
      expected: stream.prevPosition + 1,
      found: event.globalPosition,
      detail: `revision ${event.revision} is at position ${event.globalPosition}, not after its predecessor's ${stream.prevPosition}`,
    });
  }

  let recomputed: { contentHash: string; hash: string } | undefined;
  let unreadable: string | undefined;
  try {
    recomputed = recomputeEventHash(event, stream.prevHash);
  } catch (error) {
    unreadable = (error as Error).message;
  }
  if (!isHash(event.hash)) {
    report({ ...at, problem: 'missing-hash', expected: null, found: event.hash ?? null, detail: 'the event has no hash' });
  } else if (recomputed === undefined || recomputed.hash !== event.hash) {
    const contentEdited = recomputed !== undefined && event.contentHash !== undefined && event.contentHash !== recomputed.contentHash;
    report({
      ...at,
      problem: gap ? 'broken-link' : 'hash-mismatch',
      expected: event.hash,
      found: recomputed?.hash ?? null,
      detail: gap
        ? 'its predecessor is missing, so its hash cannot be checked'
        : unreadable !== undefined
          ? `its fields cannot be hashed: ${unreadable}`
          : contentEdited
            ? 'its content (id, type, schemaVersion, data or metadata) is not what was appended'
            : event.contentHash !== undefined
              ? "its stream, revision or recordedAt is not what was appended, or its predecessor's hash was rewritten"
              : "its content, stream, revision or recordedAt is not what was appended, or its predecessor's hash was rewritten",
    });
  }
  // Later events chain over the stored hash: one edited event is reported once, not with all its successors.
  stream.prevHash = isHash(event.hash) ? event.hash : (recomputed?.hash ?? GENESIS_HASH);
  stream.nextRevision = event.revision + 1;
  stream.prevPosition = Math.max(stream.prevPosition, event.globalPosition);
}
