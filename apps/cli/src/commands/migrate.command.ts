import type { INestApplicationContext } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { authoritiesAreSetUp, commandBusSetup, setupShippedAuthorities } from '@tthc/application';
import { EVENT_STORE, EVENT_STORE_SCHEMA_VERSION, migrateEventStore, type EventStore } from '@tthc/event-store';
import { PG_POOL } from '@tthc/platform';
import type pg from 'pg';
import type { Writer } from '../io.js';
import { withSession, type CliCommand } from './command.js';

/**
 * Creates or upgrades the schema; returns the versions applied (none when it was up to date). The
 * first migrate also loads the shipped province files (data/) through the command bus, as actor
 * `setup`: the 63 units of 2023, then the 2025 renamings and mergers.
 */
/**
 * Creates or upgrades the schema, then (unless `schemaOnly`) sets up the shipped provincial-level
 * units through the command bus when the log has none. `schemaOnly` leaves the log empty, as
 * `import` needs it. Returns the schema versions applied now.
 */
export async function migrate(app: INestApplicationContext, out: Writer, options: { schemaOnly?: boolean } = {}): Promise<number[]> {
  const pool = app.get<pg.Pool>(PG_POOL);
  const applied = await migrateEventStore(pool, (message) => out.write(`${message}\n`));
  if (applied.length === 0) out.write(`schema up to date (event store at version ${EVENT_STORE_SCHEMA_VERSION})\n`);
  if (!options.schemaOnly && !(await authoritiesAreSetUp(app.get<EventStore>(EVENT_STORE)))) {
    const { events } = await setupShippedAuthorities(commandBusSetup(app.get(CommandBus)));
    out.write(`set up the provincial-level units from data/ (63 units of 2023, the 2025 reorganisation): ${events} events\n`);
  }
  return applied;
}

export const migrateCommand: CliCommand = {
  register(program, runtime) {
    program
      .command('migrate')
      .description('create or upgrade the database schema (safe to repeat); an empty log also gets the shipped provincial-level units')
      .option('--schema-only', 'only the schema, the log left empty: for a database that will receive `import`')
      .action(async (options: { schemaOnly?: boolean }, command) => {
        await withSession(runtime, command, (app) => migrate(app, runtime.io.stdout, options));
      });
  },
};
