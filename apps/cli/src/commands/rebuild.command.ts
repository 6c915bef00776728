import type { INestApplicationContext } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { EVENT_STORE, type EventStore } from '@tthc/event-store';
import { READ_MODEL_DATA_SOURCE, rebuildReadModels } from '@tthc/read-models';
import { integerOption } from '../errors.js';
import type { CliIO } from '../io.js';
import { progressBar } from '../progress.js';
import { withSession, type CliCommand } from './command.js';

/**
 * Replays the whole log into fresh read models beside the live ones and swaps them in: the api
 * keeps answering from the live tables meanwhile.
 */
export async function rebuild(app: INestApplicationContext, options: { batchSize?: string }, io: CliIO, interactive?: boolean) {
  const batchSize = integerOption(options.batchSize ?? '5000', '--batch-size', { min: 1, max: 100_000 });
  const store = app.get<EventStore>(EVENT_STORE);
  const progress = progressBar(io.stderr, 'rebuild', 'events', interactive);
  const result = await rebuildReadModels(app.get<DataSource>(READ_MODEL_DATA_SOURCE), store, {
    batchSize,
    onProgress: (position, head) => progress.update(position, head),
    log: (message) => io.stderr.write(`${message}\n`),
  });
  progress.done();
  const seconds = result.millis / 1000;
  io.stdout.write(
    `rebuilt the read models from ${result.events} events up to position ${result.position} in ${seconds.toFixed(1)} s (${Math.round(result.events / Math.max(seconds, 0.001))} events/s)\n`,
  );
  return result;
}

export const rebuildCommand: CliCommand = {
  register(program, runtime) {
    program
      .command('rebuild')
      .description('replay the whole log into fresh read models, then swap them in (the api keeps serving)')
      .option('--batch-size <n>', 'events per transaction', '5000')
      .action(async (options: { batchSize?: string }, command) => {
        await withSession(runtime, command, (app) => rebuild(app, options, runtime.io));
      });
  },
};
