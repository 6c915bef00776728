import type { INestApplicationContext } from '@nestjs/common';
import { EVENT_STORE_SCHEMA_VERSION, migrateEventStore } from '@tthc/event-store';
import { PG_POOL } from '@tthc/platform';
import type pg from 'pg';
import type { Writer } from '../io.js';
import { withSession, type CliCommand } from './command.js';

/** Creates or upgrades the schema; returns the versions applied (none when it was up to date). */
export async function migrate(app: INestApplicationContext, out: Writer): Promise<number[]> {
  const pool = app.get<pg.Pool>(PG_POOL);
  const applied = await migrateEventStore(pool, (message) => out.write(`${message}\n`));
  if (applied.length === 0) out.write(`schema up to date (event store at version ${EVENT_STORE_SCHEMA_VERSION})\n`);
  return applied;
}

export const migrateCommand: CliCommand = {
  register(program, runtime) {
    program
      .command('migrate')
      .description('create or upgrade the database schema (safe to repeat)')
      .action(async (_options, command) => {
        await withSession(runtime, command, (app) => migrate(app, runtime.io.stdout));
      });
  },
};
