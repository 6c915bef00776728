import type { CliCommand } from './command.js';
import { eventsCommand } from './events.command.js';
import { migrateCommand } from './migrate.command.js';
import { rebuildCommand } from './rebuild.command.js';
import { seedCommand } from './seed.command.js';

/** Every subcommand, in the order `--help` lists them; new commands (seed, rebuild, export…) go here. */
export const COMMANDS: readonly CliCommand[] = [migrateCommand, eventsCommand, seedCommand, rebuildCommand];
