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
export async function migrate(app: INestApplicationContext, out: Writer): Promise<number[]> {
  const pool = app.get<pg.Pool>(PG_POOL);
  const applied = await migrateEventStore(pool, (message) => out.write(`${message}\n`));
  if (applied.length === 0) out.write(`schema up to date (event store at version ${EVENT_STORE_SCHEMA_VERSION})\n`);
  if (!(await authoritiesAreSetUp(app.get<EventStore>(EVENT_STORE)))) {
    const { events } = await setupShippedAuthorities(commandBusSetup(app.get(CommandBus)));
    out.write(`set up the provincial-level units from data/ (63 units of 2023, the 2025 reorganisation): ${events} events\n`);
  }
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
