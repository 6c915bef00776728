import type { INestApplicationContext } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { GetProcedureStateQuery, type ProcedureStateAtView } from '@tthc/application';
import { InvalidCommand, procedureStreamId } from '@tthc/domain';
import { unitName } from './unit-name.js';
import { CliError } from '../errors.js';
import type { Writer } from '../io.js';
import { withSession, type CliCommand } from './command.js';

export interface StateOptions {
  authority: string;
  procedure: string;
  at?: string;
  knownAt?: string;
  json?: boolean;
}

/** The query's field names, as the options that carry them. */
const OPTION_OF_FIELD: Record<string, string> = {
  authorityCode: '--authority',
  procedureCode: '--procedure',
  at: '--at',
  knownAt: '--known-at',
};

/**
 * Time travel: prints a procedure's state in force on `--at`, as recorded by `--known-at`, rebuilt
 * from its events alone (the read models are not used).
 */
export async function printProcedureState(app: INestApplicationContext, options: StateOptions, out: Writer): Promise<ProcedureStateAtView> {
  let view: ProcedureStateAtView;
  try {
    view = await app.get(QueryBus).execute(new GetProcedureStateQuery(options.authority, options.procedure, options.at, options.knownAt));
  } catch (error) {
    if (error instanceof InvalidCommand) {
      throw new CliError(error.errors.map((e) => `${OPTION_OF_FIELD[e.field] ?? e.field} ${e.message}`).join('; '));
    }
    throw error;
  }
  if (options.json) {
    out.write(`${JSON.stringify(view)}\n`);
    return view;
  }
  const authority = await unitName(app, view.authorityCode);
  const { state } = view;
  const lines = [
    `${procedureStreamId(view.authorityCode, view.procedureCode)}${authority ? ` (${authority})` : ''}`,
    `in force on ${view.at}, as recorded at ${view.knownAt}: ${view.inForce ? 'yes' : 'no'}`,
  ];
  if (state === null) {
    lines.push('state:             not registered by then');
  } else {
    lines.push(
      `name:              ${state.name}`,
      `online mode:       ${state.onlineMode}`,
      `paper intake:      ${state.paperIntake}`,
      `last effective:    ${state.lastEffectiveFrom}`,
    );
    if (state.status === 'withdrawn') lines.push(`withdrawn from:    ${state.withdrawnFrom}`);
  }
  lines.push(
    `events considered: ${view.eventsConsidered}${view.revision === null ? '' : ` (up to revision ${view.revision})`}`,
    `position:          ${view.position}`,
  );
  out.write(`${lines.join('\n')}\n`);
  return view;
}

export const stateCommand: CliCommand = {
  register(program, runtime) {
    program
      .command('state')
      .description("a procedure's state on a date, as recorded at an instant, rebuilt from its events alone")
      .requiredOption('-a, --authority <code>', '2-digit provincial code, e.g. 74')
      .requiredOption('-p, --procedure <code>', 'national procedure code, e.g. 1.001612')
      .option('--at <date>', 'in force on this date, YYYY-MM-DD (default: today in Vietnam)')
      .option('--known-at <instant>', 'as recorded at this ISO-8601 instant, e.g. 2023-08-01T00:00:00Z (default: now)')
      .option('--json', 'one JSON object instead of text')
      .addHelpText('after', '\nExample:\n  tthc-ledger state --authority 74 --procedure 1.001612 --at 2023-09-01 --known-at 2023-08-01T00:00:00Z\n')
      .action(async (options: StateOptions, command) => {
        await withSession(runtime, command, (app) => printProcedureState(app, options, runtime.io.stdout));
      });
  },
};
