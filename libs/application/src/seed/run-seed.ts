import { randomUUID } from 'node:crypto';
import type { EventStore } from '@tthc/event-store';
import type { IssueDecision } from '@tthc/domain';
import type { CommandContext } from '../command-context.js';
import type { DecisionRecord } from '../decisions/decision-record.js';
import { binhDuongSeedDecisions } from './binh-duong.seed.js';
import { nationalSeedStreams, type NationalSeedOptions } from './national.seed.js';
import { asDecisions, hoChiMinhSeedCommandsBefore2025, hoChiMinhSeedCommandsFrom2025 } from './ho-chi-minh.seed.js';
import { setupShippedAuthorities, type AuthoritySetupBus } from '../authorities/setup-authorities.js';
import { shippedAuthorities } from '../authorities/shipped-authorities.js';
import { nationalFactsSeedCommands } from './national-facts.seed.js';

export type Progress = (done: number, total: number) => void;

/** Runs `tasks` with at most `concurrency` in flight, reporting progress. */
export async function pool<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<unknown>, onDone?: () => void) {
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

/** Issues decisions in order, each whole; returns the greatest position appended. */
async function issueAll(issue: IssueDecisionFn, decisions: readonly IssueDecision[], correlationId: string, onItems: (n: number) => void): Promise<number> {
  let lastPosition = 0;
  for (const decision of decisions) {
    const { record } = await issue(decision, { actor: 'seed', correlationId });
    lastPosition = Math.max(lastPosition, record.globalPosition, ...record.items.flatMap((i) => i.events.map((e) => e.globalPosition)));
    onItems(decision.data.items.length);
  }
  return lastPosition;
}

/**
 * The demo data to the present, through the command bus: the shipped units established, the
 * synthetic 2023 catalogues of Bình Dương (74, the published figures), Bà Rịa–Vũng Tàu (77) and Hồ
 * Chí Minh City (79) by their decisions, then the 2025 reorganisation (which discontinues 74's and
 * 77's procedures on 2025-07-01), then the merged city's own decisions (its published figures). Safe
 * on a database whose units and reorganisation are already set up (a `migrate` before): both steps
 * are idempotent, and the reorganisation, sent again, discontinues what the seed registered for the
 * dissolved units. Last, the 22 central agencies and the national facts (national-facts.seed.ts), in
 * one atomic append (a few hundred events).
 */
export async function seedDemo(
  issue: IssueDecisionFn,
  authorities: AuthoritySetupBus,
  options: { onProgress?: Progress } = {},
): Promise<{ decisions: number; items: number; lastPosition: number; proceduresDiscontinued: number }> {
  const city = hoChiMinhSeedCommandsBefore2025();
  const before = [...binhDuongSeedDecisions(), ...asDecisions([...city['77'], ...city['79']])];
  const after = asDecisions(hoChiMinhSeedCommandsFrom2025());
  const total = [...before, ...after].reduce((n, d) => n + d.data.items.length, 0);
  let done = 0;
  const onItems = (n: number) => options.onProgress?.((done += n), total);
  const correlationId = `seed-demo-${randomUUID()}`;
  await setupShippedAuthorities(authorities, 'units', 'seed');
  await issueAll(issue, before, correlationId, onItems);
  const { proceduresDiscontinued } = await setupShippedAuthorities(authorities, 'reorganisation', 'seed');
  let lastPosition = await issueAll(issue, after, correlationId, onItems);
  for (const r of await authorities.authorities(nationalFactsSeedCommands(), { actor: 'seed', correlationId })) {
    lastPosition = Math.max(lastPosition, ...r.events.map((e) => e.globalPosition));
  }
  return { decisions: before.length + after.length, items: total, lastPosition, proceduresDiscontinued };
}

/** Appends the national synthetic data set, one append per procedure stream. */
export async function seedNational(
  store: EventStore,
  options: NationalSeedOptions & { concurrency?: number; onProgress?: Progress },
): Promise<{ streams: number; events: number }> {
  const totalStreams = options.procedures * shippedAuthorities().provinces2023.length;
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
