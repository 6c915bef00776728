import type { INestApplicationContext } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { GetProcedureEventsQuery } from '@tthc/application';
import { InvalidCommand } from '@tthc/domain';
import { unitName } from './unit-name.js';
import type { RecordedEvent } from '@tthc/event-store';
import { CliError } from '../errors.js';
import type { Writer } from '../io.js';
import { renderTable } from '../table.js';
import { withSession, type CliCommand } from './command.js';

export interface EventsOptions {
  authority: string;
  procedure: string;
  json?: boolean;
}

/** The query's field names, as the options that carry them. */
const OPTION_OF_FIELD: Record<string, string> = { authorityCode: '--authority', procedureCode: '--procedure' };

/** Prints a procedure's stream: a table, or one JSON event per line (NDJSON) with `json`. */
export async function printProcedureEvents(app: INestApplicationContext, options: EventsOptions, out: Writer): Promise<RecordedEvent[]> {
  let events: RecordedEvent[];
  try {
    events = await app.get(QueryBus).execute(new GetProcedureEventsQuery(options.authority, options.procedure));
  } catch (error) {
    if (error instanceof InvalidCommand) {
      throw new CliError(error.errors.map((e) => `${OPTION_OF_FIELD[e.field] ?? e.field} ${e.message}`).join('; '));
    }
    throw error;
  }
  if (options.json) {
    for (const event of events) out.write(`${JSON.stringify(event)}\n`);
    return events;
  }
  const authority = await unitName(app, options.authority);
  const count = `${events.length} event${events.length === 1 ? '' : 's'}`;
  out.write(`${events[0].streamId}${authority ? ` (${authority})` : ''}: ${count}\n\n`);
  out.write(
    renderTable(
      [
        { header: 'revision', align: 'right' },
        { header: 'globalPosition', align: 'right' },
        { header: 'recordedAt' },
        { header: 'type' },
        { header: 'actor' },
        { header: 'effectiveFrom' },
        { header: 'from→to' },
        { header: 'decisionRef' },
      ],
      events.map((event) => {
        const data = (event.data ?? {}) as Record<string, unknown>;
        return [
          String(event.revision),
          String(event.globalPosition),
          event.metadata.recordedAt,
          event.type,
          event.metadata.actor,
          text(data.effectiveFrom),
          transition(event.type, data),
          text(data.decisionRef),
        ];
      }),
    ),
  );
  return events;
}

/** What the event changed: `from → to` for transitions, the starting mode for a registration. */
function transition(type: string, data: Record<string, unknown>): string {
  if (data.from !== undefined || data.to !== undefined) return `${text(data.from)} → ${text(data.to)}`;
  if (type === 'ProcedureRegistered') return `→ ${text(data.onlineMode)}, paper ${text(data.paperIntake)}`;
  if (type === 'ProcedureWithdrawn') return '→ WITHDRAWN';
  return '-';
}

function text(value: unknown): string {
  return typeof value === 'string' && value !== '' ? value : value === undefined || value === null ? '-' : String(value);
}

export const eventsCommand: CliCommand = {
  register(program, runtime) {
    program
      .command('events')
      .description("print a procedure's event stream, oldest first")
      .requiredOption('-a, --authority <code>', '2-digit provincial code, e.g. 74')
      .requiredOption('-p, --procedure <code>', 'national procedure code, e.g. 1.001612')
      .option('--json', 'one JSON event per line (NDJSON) instead of a table')
      .addHelpText('after', '\nExample:\n  tthc-ledger events --authority 74 --procedure 1.001612 --json\n')
      .action(async (options: EventsOptions, command) => {
        await withSession(runtime, command, (app) => printProcedureEvents(app, options, runtime.io.stdout));
      });
  },
};
