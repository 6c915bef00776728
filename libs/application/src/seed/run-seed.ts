import { randomUUID } from 'node:crypto';
import type { EventStore } from '@tthc/event-store';
import type { ProcedureCommand } from '@tthc/domain';
import type { CommandContext, CommandResult } from '../command-context.js';
import { binhDuongSeedCommands } from './binh-duong.seed.js';
import { nationalSeedStreams, type NationalSeedOptions } from './national.seed.js';

export type Progress = (done: number, total: number) => void;

/** Runs `tasks` with at most `concurrency` in flight, reporting progress. */
async function pool<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<unknown>, onDone?: () => void) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      await task(item);
      onDone?.();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * Loads the Bình Dương scenario through the real command path (`execute` is the command bus or
 * handleProcedureCommand). Commands of one date run concurrently; dates run in order.
 */
export async function seedBinhDuong(
  execute: (command: ProcedureCommand, context: CommandContext) => Promise<CommandResult>,
  options: { concurrency?: number; onProgress?: Progress } = {},
): Promise<{ commands: number; lastPosition: number }> {
  const commands = binhDuongSeedCommands();
  const byDate = new Map<string, ProcedureCommand[]>();
  for (const c of commands) byDate.set(c.data.effectiveFrom, [...(byDate.get(c.data.effectiveFrom) ?? []), c]);
  let done = 0;
  let lastPosition = 0;
  const correlationId = `seed-binh-duong-${randomUUID()}`;
  for (const date of [...byDate.keys()].sort()) {
    await pool(byDate.get(date)!, options.concurrency ?? 8, async (command) => {
      const result = await execute(command, { actor: 'seed', correlationId });
      lastPosition = Math.max(lastPosition, ...result.events.map((e) => e.globalPosition));
    }, () => options.onProgress?.(++done, commands.length));
  }
  return { commands: commands.length, lastPosition };
}

/** Appends the national synthetic data set, one append per procedure stream. */
export async function seedNational(
  store: EventStore,
  options: NationalSeedOptions & { concurrency?: number; onProgress?: Progress },
): Promise<{ streams: number; events: number }> {
  const totalStreams = options.procedures * 63;
  let streams = 0;
  let events = 0;
  for (const { streams: batch } of nationalSeedStreams(options)) {
    await pool(batch, options.concurrency ?? 8, async (stream) => {
      await store.appendToStream(stream.streamId, stream.events, { expectedRevision: 'no_stream' });
      events += stream.events.length;
    }, () => options.onProgress?.(++streams, totalStreams));
  }
  return { streams, events };
}
