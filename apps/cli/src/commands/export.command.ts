import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { INestApplicationContext } from '@nestjs/common';
import { EVENT_STORE, EventLogVerifier, GENESIS_HASH, nextLogDigest, readLogBatches, toLogEntry, type EventStore } from '@tthc/event-store';
import { POSITION_RANGE } from '@tthc/platform';
import { CliError, integerOption } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { progressBar } from '../progress.js';
import { withSession, type CliCommand } from './command.js';

export interface ExportOptions {
  file: string;
  after?: string;
}

export interface ExportResult {
  events: number;
  /** Positions of the first and last event written (0 when none). */
  firstPosition: number;
  lastPosition: number;
  /** The running digest of the log at lastPosition; only when exported from the start. */
  digest: string | null;
}

/**
 * Writes the global log after `--after` (default: all of it) up to its head to a file as NDJSON,
 * one event per line in position order, exactly as `GET /api/events` streams it (plain events, no
 * header line): what `import` reads. The file appears only once complete (written beside it, then
 * renamed). From the start of the log, the export also digests what it wrote and compares it with
 * the store's own digest checkpoint (advanced first): a mismatch means the log was tampered with.
 */
export async function exportLog(app: INestApplicationContext, options: ExportOptions, io: CliIO, interactive?: boolean): Promise<ExportResult> {
  const after = integerOption(options.after ?? '0', '--after', POSITION_RANGE);
  const store = app.get<EventStore>(EVENT_STORE);
  const checkpoint = after === 0 ? await app.get(EventLogVerifier).advanceLogDigest() : null;
  const head = await store.headPosition();

  const partial = `${options.file}.partial`;
  const out = createWriteStream(partial, { encoding: 'utf8' });
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => undefined);
  const progress = progressBar(io.stderr, 'export', 'positions', interactive);
  const result: ExportResult = { events: 0, firstPosition: 0, lastPosition: 0, digest: after === 0 ? GENESIS_HASH : null };
  // What the export gives at the store's last checkpoint: the digest and the count up to its position.
  const atCheckpoint = { digest: GENESIS_HASH as string | null, events: 0 };
  try {
    for await (const batch of readLogBatches(store, { after, upTo: head })) {
      let chunk = '';
      for (const event of batch) {
        chunk += `${JSON.stringify(toLogEntry(event))}\n`;
        if (result.digest !== null) result.digest = event.hash ? nextLogDigest(result.digest, event.hash) : null;
        if (checkpoint && event.globalPosition <= checkpoint.position) {
          atCheckpoint.digest = result.digest;
          atCheckpoint.events++;
        }
      }
      result.events += batch.length;
      result.firstPosition ||= batch[0].globalPosition;
      result.lastPosition = batch[batch.length - 1].globalPosition;
      if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
      progress.update(result.lastPosition, head);
    }
    out.end();
    await Promise.race([once(out, 'finish'), failed]);
    await rename(partial, options.file);
  } catch (error) {
    out.destroy();
    await rm(partial, { force: true });
    throw new CliError(`could not export to ${options.file}: ${(error as Error).message}`, EXIT.FAILED, { cause: error });
  }
  const { millis } = progress.done();

  const range = result.events === 0 ? 'no events' : `${result.events} events (positions ${result.firstPosition} to ${result.lastPosition})`;
  io.stdout.write(`exported ${range} to ${options.file} in ${(millis / 1000).toFixed(1)} s\n`);
  if (result.digest !== null && result.events > 0) io.stdout.write(`log digest at position ${result.lastPosition}: ${result.digest}\n`);
  if (checkpoint && atCheckpoint.digest !== null) {
    if (atCheckpoint.digest !== checkpoint.digest || atCheckpoint.events !== checkpoint.events) {
      throw new CliError(
        `the exported log does not match the store's digest checkpoint at position ${checkpoint.position}: it has been tampered with (run \`tthc-ledger verify\`)`,
        EXIT.TAMPERED,
      );
    }
    io.stdout.write(`matches the store's digest checkpoint at position ${checkpoint.position}\n`);
  }
  return result;
}

export const exportCommand: CliCommand = {
  register(program, runtime) {
    program
      .command('export')
      .description('write the global log to a file as NDJSON, one event per line in order (what import reads)')
      .requiredOption('-f, --file <path>', 'the file to write (replaced once the export is complete)')
      .option('--after <position>', 'only the events after this global position (such a file cannot be imported alone)', '0')
      .addHelpText('after', '\nExample:\n  tthc-ledger export --file log.ndjson\n')
      .action(async (options: ExportOptions, command) => {
        await withSession(runtime, command, (app) => exportLog(app, options, runtime.io));
      });
  },
};
