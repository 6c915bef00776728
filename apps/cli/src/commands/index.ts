import type { CliCommand } from './command.js';
import { decisionCommand } from './decision.command.js';
import { eventsCommand } from './events.command.js';
import { exportCommand } from './export.command.js';
import { importCommand } from './import.command.js';
import { migrateEventsCommand } from './migrate-events.command.js';
import { migrateCommand } from './migrate.command.js';
import { rebuildCommand } from './rebuild.command.js';
import { seedCommand } from './seed.command.js';
import { stateCommand } from './state.command.js';
import { tokenCommand } from './token.command.js';
import { verifyCommand } from './verify.command.js';

/** Every subcommand, in the order `--help` lists them; new commands (seed, rebuild, export…) go here. */
export const COMMANDS: readonly CliCommand[] = [migrateCommand, eventsCommand, stateCommand, seedCommand, decisionCommand, rebuildCommand, migrateEventsCommand, tokenCommand, exportCommand, importCommand, verifyCommand];
