import type { INestApplicationContext } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { BINH_DUONG, IssueDecisionCommand, commandBusSetup, seedDemo, seedNational, setupShippedAuthorities } from '@tthc/application';
import { procedureStreamId } from '@tthc/domain';
import { EVENT_STORE, type EventStore } from '@tthc/event-store';
import { CliError, integerOption } from '../errors.js';
import type { CliIO } from '../io.js';
import { progressBar } from '../progress.js';
import { withSession, type CliCommand } from './command.js';

export interface SeedOptions {
  national?: boolean;
  procedures?: string;
  years?: string;
  concurrency?: string;
  seed?: string;
}

/**
 * Loads synthetic data: by default the Bình Dương scenario through the command bus (the real
 * command path); with --national a deterministic data set for all 63 provinces, appended per stream.
 */
export async function seed(app: INestApplicationContext, options: SeedOptions, io: CliIO, interactive?: boolean): Promise<void> {
  const store = app.get<EventStore>(EVENT_STORE);
  const concurrency = integerOption(options.concurrency ?? '8', '--concurrency', { min: 1, max: 64 });
  if (options.national) {
    const procedures = integerOption(options.procedures ?? '2000', '--procedures', { min: 1, max: 999_999 });
    const years = integerOption(options.years ?? '2', '--years', { min: 1, max: 50 });
    if ((await store.readStream(procedureStreamId('01', '8.000001'), { maxCount: 1 })).length > 0) {
      throw new CliError('the national data set is already loaded (procedure 01/8.000001 exists)');
    }
    // The national streams end the dissolved units' procedures on 2025-07-01: the units and the
    // reorganisation come first, through the command bus.
    await setupShippedAuthorities(commandBusSetup(app.get(CommandBus)), 'all', 'seed');
    const progress = progressBar(io.stderr, 'seed --national', 'streams', interactive);
    const result = await seedNational(store, {
      procedures,
      years,
      seed: options.seed === undefined ? undefined : integerOption(options.seed, '--seed', { min: 1, max: 2 ** 31 }),
      concurrency,
      onProgress: (done, total) => progress.update(done, total),
    });
    const { millis } = progress.done();
    io.stdout.write(
      `loaded the synthetic national data set: ${result.streams} procedures, ${result.events} events in ${(millis / 1000).toFixed(1)} s (${Math.round(result.events / (millis / 1000))} events/s)\n`,
    );
    return;
  }
  if ((await store.readStream(procedureStreamId(BINH_DUONG, '9.000001'), { maxCount: 1 })).length > 0) {
    io.stdout.write('the synthetic Bình Dương scenario is already loaded: nothing to do\n');
    return;
  }
  const bus = app.get(CommandBus);
  const progress = progressBar(io.stderr, 'seed', 'items', interactive);
  const result = await seedDemo((decision, context) => bus.execute(new IssueDecisionCommand(decision, context)), commandBusSetup(bus), {
    onProgress: (done, total) => progress.update(done, total),
  });
  const { millis } = progress.done();
  io.stdout.write(
    `loaded the synthetic demo (Bình Dương 74, Bà Rịa–Vũng Tàu 77, Hồ Chí Minh 79 to the present): ${result.decisions} decisions (${result.items} items) and ` +
      `${result.proceduresDiscontinued} procedures discontinued by the 2025 merger in ${(millis / 1000).toFixed(1)} s, last position ${result.lastPosition}\n`,
  );
}

export const seedCommand: CliCommand = {
  register(program, runtime) {
    program
      .command('seed')
      .description('load synthetic data: the Bình Dương scenario (default) or, with --national, all 63 provinces')
      .option('--national', 'a deterministic national data set instead of the Bình Dương scenario')
      .option('--procedures <n>', 'procedures per province (with --national)', '2000')
      .option('--years <n>', 'years of dated decisions (with --national)', '2')
      .option('--seed <n>', 'random seed (with --national); the same seed gives the same data')
      .option('--concurrency <n>', 'commands or appends in flight', '8')
      .action(async (options: SeedOptions, command) => {
        await withSession(runtime, command, (app) => seed(app, options, runtime.io));
      });
  },
};
