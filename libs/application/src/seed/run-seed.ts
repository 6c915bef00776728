import { randomUUID } from 'node:crypto';
import type { EventStore } from '@tthc/event-store';
import type { IssueDecision } from '@tthc/domain';
import type { CommandContext } from '../command-context.js';
import type { DecisionRecord } from '../decisions/decision-record.js';
import { binhDuongSeedDecisions } from './binh-duong.seed.js';
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

/** Issues one decision: the command bus with IssueDecisionCommand, or issueDecision on a store. */
export type IssueDecisionFn = (decision: IssueDecision, context: CommandContext) => Promise<{ record: DecisionRecord }>;

/**
 * Loads the Bình Dương scenario as its five decisions, in order, each issued whole (all items or
 * none) through the real decision path. Progress counts items.
 */
export async function seedBinhDuong(
  issue: IssueDecisionFn,
  options: { onProgress?: Progress } = {},
): Promise<{ decisions: number; items: number; lastPosition: number }> {
  const decisions = binhDuongSeedDecisions();
  const total = decisions.reduce((n, d) => n + d.data.items.length, 0);
  let done = 0;
  let lastPosition = 0;
  const correlationId = `seed-binh-duong-${randomUUID()}`;
  for (const decision of decisions) {
    const { record } = await issue(decision, { actor: 'seed', correlationId });
    lastPosition = Math.max(lastPosition, record.globalPosition, ...record.items.flatMap((i) => i.events.map((e) => e.globalPosition)));
    done += decision.data.items.length;
    options.onProgress?.(done, total);
  }
  return { decisions: decisions.length, items: total, lastPosition };
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
