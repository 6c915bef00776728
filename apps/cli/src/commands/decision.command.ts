import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { INestApplicationContext } from '@nestjs/common';
import { issueDecision, parseAnnexCsv, previewDecision } from '@tthc/application';
import { DecisionNumberTaken, DecisionRefused, DecisionTooLarge, InvalidCommand, type IssueDecision } from '@tthc/domain';
import { EVENT_STORE, type EventStore } from '@tthc/event-store';
import { CliError } from '../errors.js';
import type { CliIO } from '../io.js';
import { progressBar } from '../progress.js';
import { withSession, type CliCommand } from './command.js';

export interface DecisionImportOptions {
  authority: string;
  number: string;
  issuedOn: string;
  effectiveFrom: string;
  title?: string;
  dryRun?: boolean;
  file: string;
}

/** The decision's field names, as the options that carry them. */
const OPTION_OF_FIELD: Record<string, string> = {
  authorityCode: '--authority',
  number: '--number',
  issuedOn: '--issued-on',
  effectiveFrom: '--effective-from',
  title: '--title',
};

/** At most this many refused items are printed; the count says how many there are. */
const MAX_PRINTED = 50;

/**
 * Issues (or, with --dry-run, previews) a decision from its annex file, as POST …/decisions does:
 * all items or none. Exit 0: issued, already issued with the same content, or a preview; 1: the
 * annex is malformed, an item is refused, or the number was issued with other content.
 */
export async function importDecision(app: INestApplicationContext, options: DecisionImportOptions, io: CliIO, interactive?: boolean) {
  let bytes: Buffer;
  try {
    bytes = await readFile(options.file);
  } catch (error) {
    throw new CliError(`cannot read ${options.file}: ${(error as Error).message}`);
  }
  const store = app.get<EventStore>(EVENT_STORE);
  const progress = progressBar(io.stderr, 'decision', 'procedures checked', interactive);
  const onProgress = (done: number, total: number) => progress.update(done, total);
  let lines: number[] = [];
  try {
    const annex = parseAnnexCsv(bytes);
    lines = annex.lines;
    const command: IssueDecision = {
      type: 'IssueDecision',
      data: {
        authorityCode: options.authority,
        number: options.number,
        issuedOn: options.issuedOn,
        effectiveFrom: options.effectiveFrom,
        ...(options.title !== undefined && { title: options.title }),
        items: annex.items,
      },
    };
    if (options.dryRun) {
      const { outcome } = await previewDecision(store, command, { onProgress });
      progress.done();
      const e = outcome.effect;
      io.stdout.write(
        `dry run of ${options.number}: ${outcome.outcomes.length} item(s) accepted, ${outcome.refusals.length} refused; nothing appended\n` +
          `effect on ${options.effectiveFrom}: total ${signed(e.total)}, full-process ${signed(e.fullProcess)}, partial ${signed(e.partial)}, ` +
          `information-only ${signed(e.informationOnly)}, paperless ${signed(e.paperIntakeDisabled)}\n`,
      );
      if (outcome.refusals.length > 0) throw refusedError(new DecisionRefused(outcome.refusals), lines);
      return outcome;
    }
    const { record, created } = await issueDecision(store, command, { actor: 'cli', correlationId: `cli-decision-${randomUUID()}` }, { onProgress });
    progress.done();
    io.stdout.write(
      created
        ? `issued ${record.number}: ${record.itemCount} items, ${record.eventCount} events, decision at position ${record.globalPosition} (${record.streamId})\n`
        : `${record.number} was already issued with this content (position ${record.globalPosition}): nothing appended\n`,
    );
    return record;
  } catch (error) {
    if (error instanceof InvalidCommand) {
      throw new CliError(error.errors.map((e) => `${describeField(e.field, lines)} ${e.message}`).join('\n'));
    }
    if (error instanceof DecisionRefused) throw refusedError(error, lines);
    if (error instanceof DecisionNumberTaken) throw new CliError(`${error.message}: nothing appended`);
    if (error instanceof DecisionTooLarge) throw new CliError(error.message);
    throw error;
  }
}

function refusedError(error: DecisionRefused, lines: number[]): CliError {
  const listed = error.refusals.slice(0, MAX_PRINTED).map((r) => `line ${lines[r.index]}: ${r.procedureCode} ${r.reason}: ${r.message}`);
  const more = error.refusals.length > MAX_PRINTED ? [`… and ${error.refusals.length - MAX_PRINTED} more`] : [];
  return new CliError([`${error.refusals.length} item(s) refused; nothing appended`, ...listed, ...more].join('\n'));
}

function describeField(field: string, lines: number[]): string {
  const item = /^items\[(\d+)\]\.?(.*)$/.exec(field);
  if (item) return `line ${lines[Number(item[1])]}: ${item[2] || 'item'}`;
  if (field === 'body') return 'annex:';
  return OPTION_OF_FIELD[field] ?? field;
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

export const decisionCommand: CliCommand = {
  register(program, runtime) {
    const decision = program.command('decision').description('decisions that change many procedures at once');
    decision
      .command('import')
      .description('issue a decision from its annex (CSV: procedureCode, action, onlineMode, name, field, level, paperIntake, reason), all items or none')
      .argument('<annex.csv>', 'the annex, UTF-8 CSV with a header row')
      .requiredOption('--authority <code>', 'the issuing authority, e.g. 74')
      .requiredOption('--number <number>', 'the decision number as printed, e.g. "1500/QĐ-UBND"')
      .requiredOption('--issued-on <date>', 'YYYY-MM-DD')
      .requiredOption('--effective-from <date>', 'YYYY-MM-DD')
      .option('--title <title>', "the decision's title")
      .option('--dry-run', 'check every item and print the effect; append nothing')
      .action(async (file: string, opts: Omit<DecisionImportOptions, 'file'>, command) => {
        await withSession(runtime, command, (app) => importDecision(app, { ...opts, file }, runtime.io));
      });
  },
};
