import type { AppendResult, EventStore } from '../event-store.port.js';
import { GENESIS_HASH, nextLogDigest, recomputeEventHash } from '../tamper-evidence/hash-chain.js';
import { fromLogEntry, InvalidLogEntry, parseLogEntry, TamperedLogEntry, toNewEvent, type LogEntry } from './log-entry.js';

/** The store or the file does not allow the import (refused before writing, unless the message says otherwise). */
export class EventLogImportRefused extends Error {
  readonly code = 'EVENT_LOG_IMPORT_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'EventLogImportRefused';
  }
}

export interface ImportEventLogOptions {
  /**
   * Makes the store give its next append this position: the PostgreSQL adapter can
   * (`reservePostgresPosition`), so that positions are the file's, gaps included. Without it the
   * store numbers the events itself, in the file's order.
   */
  reservePosition?: (position: number) => Promise<void>;
  /** Lines read per progress report (default 1,000). */
  progressEvery?: number;
  onProgress?: (phase: 'check' | 'import', events: number) => void;
}

export interface ImportEventLogResult {
  events: number;
  streams: number;
  /** The file's last global position (and the store's, when positions are kept). */
  lastPosition: number;
  /** The running digest of the imported log: the source's log digest at `lastPosition`. */
  digest: string;
  positionsKept: boolean;
  /** Events that carried no hash (from a store that keeps none): imported unchecked. */
  unhashed: number;
}

/**
 * Imports an NDJSON log file (LogEntry lines, as `export` and `GET /api/events` write them) into an
 * EMPTY store, reproducing ids, order, streams, revisions, types, schema versions, data and metadata
 * with recordedAt; the store recomputes every hash, which come out as the file's.
 *
 * The file is read twice. The first pass writes nothing: every line must parse, positions must
 * increase, each stream must start at revision 0 and go on without a gap (a file exported with
 * `--after` holds no whole log), and every hash must chain (an edited file is refused). The second
 * pass appends, consecutive events of one stream together, each with its exact expected revision.
 * A failure in the second pass (the store down, someone else writing) leaves the events appended
 * so far: empty the store before trying again.
 *
 * @example
 *   const result = await importEventLog(store, () => lines('log.ndjson'), { reservePosition: (p) => reservePostgresPosition(pool, p) });
 */
export async function importEventLog(
  store: EventStore,
  open: () => AsyncIterable<string>,
  options: ImportEventLogOptions = {},
): Promise<ImportEventLogResult> {
  const head = await store.headPosition();
  if (head !== 0) {
    throw new EventLogImportRefused(`the event store is not empty (head position ${head}): import only into an empty store`);
  }
  const checked = await checkLogFile(open, options);
  if (checked.events === 0) throw new EventLogImportRefused('the file holds no events');

  const every = options.progressEvery ?? 1_000;
  let imported = 0;
  let run: LogEntry[] = [];
  let nextPosition: number | undefined; // what the store will give next, once known
  const flush = async () => {
    if (run.length === 0) return;
    const first = run[0];
    // First, and across a gap; otherwise the store's next position is the file's already.
    if (options.reservePosition && first.globalPosition !== nextPosition) await options.reservePosition(first.globalPosition);
    const result = await store.appendToStream(first.streamId, run.map(toNewEvent), {
      expectedRevision: first.revision === 0 ? 'no_stream' : first.revision - 1,
    });
    if (options.reservePosition) checkPositions(run, result);
    nextPosition = result.events[result.events.length - 1].globalPosition + 1;
    const before = imported;
    imported += run.length;
    if (Math.floor(imported / every) > Math.floor(before / every)) options.onProgress?.('import', imported);
    run = [];
  };
  for await (const entry of entries(open)) {
    const previous = run[run.length - 1];
    // One append per run of one stream; with kept positions, only while they are consecutive.
    const continues =
      previous !== undefined &&
      previous.streamId === entry.streamId &&
      (!options.reservePosition || entry.globalPosition === previous.globalPosition + 1) &&
      run.length < 500;
    if (!continues) await flush();
    run.push(entry);
  }
  await flush();
  options.onProgress?.('import', imported);
  return { ...checked, positionsKept: options.reservePosition !== undefined };
}

/** The first pass: everything that can be checked without writing. */
async function checkLogFile(open: () => AsyncIterable<string>, options: ImportEventLogOptions) {
  const every = options.progressEvery ?? 1_000;
  const streams = new Map<string, { revision: number; hash: string | null }>();
  let lastPosition = 0;
  let digest = GENESIS_HASH;
  let events = 0;
  let unhashed = 0;
  for await (const entry of entries(open)) {
    const line = entry.line;
    if (entry.globalPosition <= lastPosition) {
      throw new InvalidLogEntry(line, `globalPosition ${entry.globalPosition} does not follow ${lastPosition}: the file is not in log order`);
    }
    const stream = streams.get(entry.streamId);
    const expected = stream ? stream.revision + 1 : 0;
    if (entry.revision !== expected) {
      throw new InvalidLogEntry(
        line,
        stream
          ? `${entry.streamId} goes from revision ${stream.revision} to ${entry.revision}: events are missing`
          : `${entry.streamId} starts at revision ${entry.revision}, not 0: the file does not hold the whole log (was it exported with --after?)`,
      );
    }
    if (entry.hash === null) {
      unhashed++;
    } else {
      const prevHash = stream?.hash ?? GENESIS_HASH;
      let recomputed: string;
      try {
        recomputed = recomputeEventHash(fromLogEntry(entry), prevHash).hash;
      } catch (error) {
        throw new InvalidLogEntry(line, `its fields cannot be hashed: ${(error as Error).message}`);
      }
      if (recomputed !== entry.hash) {
        throw new TamperedLogEntry(
          line,
          `the hash of ${entry.streamId} revision ${entry.revision} does not match its content or its predecessor: the file was edited`,
        );
      }
      digest = nextLogDigest(digest, entry.hash);
    }
    streams.set(entry.streamId, { revision: entry.revision, hash: entry.hash });
    lastPosition = entry.globalPosition;
    events++;
    if (events % every === 0) options.onProgress?.('check', events);
  }
  return { events, streams: streams.size, lastPosition, digest, unhashed };
}

async function* entries(open: () => AsyncIterable<string>): AsyncIterable<LogEntry & { line: number }> {
  let line = 0;
  for await (const text of open()) {
    line++;
    if (text.trim() === '') continue;
    yield Object.assign(parseLogEntry(text, line), { line });
  }
}

function checkPositions(run: readonly LogEntry[], result: AppendResult): void {
  result.events.forEach((appended, i) => {
    if (appended.globalPosition !== run[i].globalPosition) {
      throw new EventLogImportRefused(
        `event ${run[i].id} was given position ${appended.globalPosition} instead of ${run[i].globalPosition}: is someone else writing to the store?`,
      );
    }
  });
}
