import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { INestApplicationContext } from '@nestjs/common';
import pg from 'pg';
import {
  EVENT_STORE,
  EventLogImportRefused,
  EventLogVerifier,
  importEventLog,
  InvalidLogEntry,
  PostgresEventStore,
  reservePostgresPosition,
  TamperedLogEntry,
  type EventStore,
  type ImportEventLogResult,
} from '@tthc/event-store';
import { PG_POOL } from '@tthc/platform';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { progressBar } from '../progress.js';
import { withSession, type CliCommand } from './command.js';

export interface ImportOptions {
  file: string;
}

/**
 * Loads a file written by `export` (or `GET /api/events` as NDJSON) into an EMPTY event store: the
 * same events, ids, streams, revisions, metadata and record times, hence the same hashes. Into
 * PostgreSQL the positions are the file's too, gaps included; another store numbers them itself.
 * The whole file is checked before anything is written (see importEventLog).
 */
export async function importLog(app: INestApplicationContext, options: ImportOptions, io: CliIO, interactive?: boolean): Promise<ImportEventLogResult> {
  let size: number;
  try {
    size = (await stat(options.file)).size;
  } catch (error) {
    throw new CliError(`cannot read ${options.file}: ${(error as Error).message}`);
  }
  const appStore = app.get<EventStore>(EVENT_STORE);
  // Into PostgreSQL, through a connection of its own that does not wait for each commit to reach the
  // disk (synchronous_commit off): an import commits once per run of one stream, and waiting for
  // every WAL flush made it several times slower. A crash may lose the last commits, which leaves a
  // partial import all the same (to be emptied and run again); nothing is ever corrupted.
  const pool =
    appStore instanceof PostgresEventStore
      ? new pg.Pool({ ...app.get<pg.Pool>(PG_POOL).options, max: 1, options: '-c synchronous_commit=off' })
      : undefined;
  pool?.on('error', () => undefined);
  const store = pool ? new PostgresEventStore(pool) : appStore;
  try {
    return await importInto(store, pool, size, app, options, io, interactive);
  } finally {
    await pool?.end();
  }
}

async function importInto(
  store: EventStore,
  pool: pg.Pool | undefined,
  size: number,
  app: INestApplicationContext,
  options: ImportOptions,
  io: CliIO,
  interactive: boolean | undefined,
): Promise<ImportEventLogResult> {
  // importEventLog reads the file twice: first to check it, then to append.
  let pass = 0;
  async function* lines(): AsyncIterable<string> {
    pass++;
    const progress = progressBar(io.stderr, pass === 1 ? 'import: checking' : 'import: appending', 'bytes', interactive);
    const input = createReadStream(options.file, { encoding: 'utf8' });
    let read = 0;
    try {
      for await (const line of createInterface({ input, crlfDelay: Infinity })) {
        read += Buffer.byteLength(line) + 1;
        progress.update(Math.min(read, size), size);
        yield line;
      }
    } finally {
      input.destroy();
      progress.done();
    }
  }

  const started = Date.now();
  let result: ImportEventLogResult;
  try {
    result = await importEventLog(store, lines, {
      reservePosition: pool ? (position) => reservePostgresPosition(pool, position) : undefined,
    });
  } catch (error) {
    if (error instanceof TamperedLogEntry) throw new CliError(`${options.file} ${error.message}; nothing was imported`, EXIT.TAMPERED);
    if (error instanceof InvalidLogEntry) throw new CliError(`${options.file} ${error.message}; nothing was imported`);
    if (error instanceof EventLogImportRefused) throw new CliError(`${error.message} (prepare a new database with \`tthc-ledger migrate --schema-only\`)`);
    throw error;
  }
  const millis = Date.now() - started;

  io.stdout.write(
    `imported ${result.events} events in ${result.streams} streams from ${options.file} in ${(millis / 1000).toFixed(1)} s` +
      `${result.positionsKept ? `, positions kept (last ${result.lastPosition})` : ', positions numbered by the store'}\n`,
  );
  if (result.unhashed > 0) io.stdout.write(`${result.unhashed} events had no hash in the file: they were imported unchecked\n`);
  else io.stdout.write(`log digest: ${result.digest}\n`);
  const checkpoint = await app.get(EventLogVerifier).advanceLogDigest();
  if (checkpoint && result.unhashed === 0 && checkpoint.digest !== result.digest) {
    throw new CliError(`the store's digest after the import (${checkpoint.digest}) is not the file's: run \`tthc-ledger verify\``, EXIT.TAMPERED);
  }
  return result;
}

export const importCommand: CliCommand = {
  register(program, runtime) {
    program
      .command('import')
      .description('load a file written by export into an empty event store (ids, order, metadata and hashes kept)')
      .requiredOption('-f, --file <path>', 'the NDJSON file to read')
      .addHelpText('after', '\nExample:\n  tthc-ledger import --file log.ndjson\n')
      .action(async (options: ImportOptions, command) => {
        await withSession(runtime, command, (app) => importLog(app, options, runtime.io));
      });
  },
};
