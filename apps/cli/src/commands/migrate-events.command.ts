import type { INestApplicationContext } from '@nestjs/common';
import type pg from 'pg';
import {
  EventLogCopyConflict,
  PostgresEventStore,
  copyEventLog,
  migrateEventStore,
  openKurrentDbEventStore,
  type CopyCheckpoint,
  type CopyEventLogResult,
  type EventStore,
} from '@tthc/event-store';
import { ADVISORY_LOCKS, PG_POOL, readConfig } from '@tthc/platform';
import { CliError, integerOption } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { progressBar } from '../progress.js';
import { withSession, type CliCommand } from './command.js';

const STORES = ['postgres', 'kurrentdb'] as const;
type StoreName = (typeof STORES)[number];

export interface MigrateEventsOptions {
  from: string;
  to: string;
  batchSize?: string;
  /** Overrides KURRENTDB_CONNECTION_STRING. */
  kurrentdb?: string;
}

export interface MigrateEventsDependencies {
  env: NodeJS.ProcessEnv;
  /** Opens KurrentDB (tests substitute another store). */
  openKurrentDb: (connectionString: string) => Promise<EventStore>;
  /** Stops the copy after the append in progress (SIGINT in the real cli). */
  signal?: AbortSignal;
  interactive?: boolean;
}

/**
 * Copies the whole event log between PostgreSQL (the session's database) and KurrentDB, either way,
 * with `copyEventLog`: ids, order and metadata kept, resumable. Where it got to is kept in the
 * PostgreSQL database (`public.event_log_copies`), so that running the same command again resumes.
 */
export async function migrateEvents(
  app: INestApplicationContext,
  options: MigrateEventsOptions,
  io: CliIO,
  dependencies: MigrateEventsDependencies,
): Promise<CopyEventLogResult> {
  const from = storeName(options.from, '--from');
  const to = storeName(options.to, '--to');
  if (from === to) throw new CliError(`--from and --to are both ${from}: a log is copied between PostgreSQL and KurrentDB`, EXIT.USAGE);
  const batchSize = integerOption(options.batchSize ?? '500', '--batch-size', { min: 1, max: 10_000 });
  const connectionString = options.kurrentdb ?? kurrentdbFromEnvironment(dependencies.env);
  if (!connectionString) {
    throw new CliError(
      'migrate-events needs KurrentDB: set KURRENTDB_CONNECTION_STRING or pass --kurrentdb kurrentdb://host:2113?tls=false',
      EXIT.USAGE,
    );
  }

  const pool = app.get<pg.Pool>(PG_POOL);
  await migrateEventStore(pool);
  const postgres = new PostgresEventStore(pool);
  const kurrentdb = await dependencies.openKurrentDb(connectionString);
  try {
    const lock = await lockCopy(pool, from, to);
    try {
      const [source, target] = from === 'postgres' ? [postgres, kurrentdb] : [kurrentdb, postgres];
      const checkpoint = await postgresCheckpoint(pool, endpoint(from, connectionString), endpoint(to, connectionString));
      const resumedAt = await checkpoint.load();
      if (resumedAt !== undefined) io.stderr.write(`resuming the copy from ${from} to ${to} after position ${resumedAt}\n`);
      const progress = progressBar(io.stderr, 'migrate-events', 'positions', dependencies.interactive);
      let result: CopyEventLogResult;
      try {
        result = await copyEventLog(source, target, {
          checkpoint,
          batchSize,
          signal: dependencies.signal,
          onProgress: ({ position, head }) => progress.update(position, head),
        });
      } catch (error) {
        if (!(error instanceof EventLogCopyConflict)) throw error;
        throw new CliError(`cannot copy from ${from} to ${to}: ${error.message}`, EXIT.FAILED, { cause: error });
      }
      const seconds = progress.done().millis / 1000;
      if (!result.completed) {
        throw new CliError(`stopped after ${result.copied} events, at ${from} position ${result.position}: run the same command again to resume`);
      }
      const rate = Math.round(result.copied / Math.max(seconds, 0.001));
      io.stdout.write(
        `copied ${result.copied} events from ${from} to ${to} up to ${from} position ${result.position} in ${seconds.toFixed(1)} s (${rate} events/s)\n` +
          `positions differ between the stores: to serve from ${to}, set EVENT_STORE=${to} and run \`tthc-ledger rebuild\`\n`,
      );
      return result;
    } finally {
      await lock.release();
    }
  } finally {
    await kurrentdb.close();
  }
}

function storeName(raw: string, option: string): StoreName {
  if ((STORES as readonly string[]).includes(raw)) return raw as StoreName;
  throw new CliError(`${option} must be postgres or kurrentdb, got '${raw}'`, EXIT.USAGE);
}

function kurrentdbFromEnvironment(env: NodeJS.ProcessEnv): string | undefined {
  try {
    return readConfig(env).kurrentdbConnectionString;
  } catch (error) {
    throw new CliError((error as Error).message, EXIT.USAGE);
  }
}

/** A store as the checkpoint names it: KurrentDB by its hosts, without credentials or options. */
export function endpoint(store: StoreName, connectionString: string): string {
  if (store === 'postgres') return 'postgres';
  const match = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/?]*@)?([^/?]*)/i.exec(connectionString);
  return match ? `${match[1]}://${match[2]}` : 'kurrentdb';
}

/** One copy between the same two stores at a time: two would interleave their appends. */
async function lockCopy(pool: pg.Pool, from: StoreName, to: StoreName): Promise<{ release(): Promise<void> }> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked`, [ADVISORY_LOCKS.rebuildClass, `${from}>${to}`]);
    if (!rows[0].locked) throw new CliError(`another migrate-events from ${from} to ${to} is running on this database`, EXIT.FAILED);
  } catch (error) {
    client.release();
    throw error;
  }
  return {
    async release() {
      // Closing the connection releases the session lock whatever happened to it.
      client.release(true);
    },
  };
}

async function postgresCheckpoint(pool: pg.Pool, source: string, target: string): Promise<CopyCheckpoint> {
  await pool.query(`CREATE TABLE IF NOT EXISTS public.event_log_copies (
    source     text        NOT NULL,
    target     text        NOT NULL,
    position   bigint      NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, target))`);
  return {
    async load() {
      const { rows } = await pool.query<{ position: string }>(`SELECT position FROM public.event_log_copies WHERE source = $1 AND target = $2`, [
        source,
        target,
      ]);
      return rows.length === 0 ? undefined : Number(rows[0].position);
    },
    async save(position) {
      await pool.query(
        `INSERT INTO public.event_log_copies (source, target, position) VALUES ($1, $2, $3)
         ON CONFLICT (source, target) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`,
        [source, target, position],
      );
    },
  };
}

export const migrateEventsCommand: CliCommand = {
  register(program, runtime) {
    program
      .command('migrate-events')
      .description('copy the whole event log between PostgreSQL and KurrentDB (ids, order, metadata kept; resumable)')
      .requiredOption('--from <store>', 'postgres or kurrentdb')
      .requiredOption('--to <store>', 'kurrentdb or postgres')
      .option('--batch-size <n>', 'source events read at a time, and how often progress is saved', '500')
      .option('--kurrentdb <connection-string>', 'KurrentDB to use instead of KURRENTDB_CONNECTION_STRING')
      .addHelpText(
        'after',
        '\nThe PostgreSQL side is DATABASE_URL (or the embedded database). Interrupted (Ctrl-C, a crash), it resumes\n' +
          'where it stopped when run again. Positions differ between stores: rebuild the read models afterwards.\n\n' +
          'Example:\n  KURRENTDB_CONNECTION_STRING=kurrentdb://localhost:2113?tls=false tthc-ledger migrate-events --from postgres --to kurrentdb\n',
      )
      .action(async (options: MigrateEventsOptions, command) => {
        const controller = new AbortController();
        const stop = () => {
          runtime.io.stderr.write('\nstopping after the append in progress…\n');
          controller.abort();
        };
        process.once('SIGINT', stop);
        try {
          await withSession(runtime, command, (app) =>
            migrateEvents(app, options, runtime.io, {
              env: runtime.env ?? process.env,
              openKurrentDb: (connectionString) => openKurrentDbEventStore(connectionString),
              signal: controller.signal,
            }),
          );
        } finally {
          process.off('SIGINT', stop);
        }
      });
  },
};
