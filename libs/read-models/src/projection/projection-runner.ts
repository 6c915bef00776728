import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource, QueryRunner } from 'typeorm';
import type { EventStore, RecordedEvent } from '@tthc/event-store';
import { LIVE_SCHEMA, quoteIdent } from '../schema/read-model.schema.js';
import { procedureStreamId } from '@tthc/domain';
import { keysNeedingHistory, planBatch, procedureKey, type ProcedureHistory } from './projection-plan.js';
import { loadOpenIntervals, loadProcedures, writePlan, type Sql } from './projection-writer.js';
import { projectAuthorityEvents } from '../authorities/authority-lineage.projection.js';
import { projectDecisionEvents } from '../decisions/decisions.projection.js';
import { projectNationalFacts } from '../national-facts/national-facts.projection.js';

/** The projection's name keys its checkpoint: never change it. Bump the version to rebuild. */
export const PROCEDURE_PROJECTION = { name: 'procedures', version: 1 } as const;

export interface ProjectorStatus {
  running: boolean;
  position: number;
  head: number;
  lag: number;
  eventsProjected: number;
  lastBatchAt: string | null;
  /** The last batch's failure, until a batch commits again; with the instant it happened (ISO-8601). */
  lastError: string | null;
  lastErrorAt: string | null;
}

export interface ProjectionRunnerOptions {
  schema?: string;
  batchSize?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** Test hook: called inside the batch's transaction, after the rows are written and before commit. */
  beforeCommit?: (events: readonly RecordedEvent[]) => Promise<void> | void;
}

/**
 * Catches up from the global log into the read models. Each batch, its rows and the checkpoint
 * commit in one transaction, and the checkpoint row is locked first: a crash anywhere loses or
 * doubles nothing, and a second runner on the same schema waits instead of interleaving.
 *
 * @example
 *   const runner = new ProjectionRunner(dataSource, store);
 *   void runner.run(abortController.signal);
 *   await runner.waitForPosition(globalPosition, 5_000);
 */
export class ProjectionRunner {
  private readonly schema: string;
  private readonly batchSize: number;
  private state: ProjectorStatus = {
    running: false,
    position: 0,
    head: 0,
    lag: 0,
    eventsProjected: 0,
    lastBatchAt: null,
    lastError: null,
    lastErrorAt: null,
  };

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.schema = options.schema ?? LIVE_SCHEMA;
    this.batchSize = options.batchSize ?? 1000;
  }

  status(): ProjectorStatus {
    return { ...this.state };
  }

  /** Projects until `signal` aborts; survives store and database outages by retrying with backoff. */
  async run(signal: AbortSignal): Promise<void> {
    this.state.running = true;
    let backoff = 100;
    try {
      while (!signal.aborted) {
        try {
          const position = await this.checkpoint();
          for await (const batch of this.store.subscribeToAll({ after: position, batchSize: this.batchSize, signal })) {
            const applied = await this.applyBatch(batch);
            if (applied === 'restart') break; // someone else moved the checkpoint (a rebuild's swap)
            backoff = 100;
          }
        } catch (error) {
          if (signal.aborted) break;
          this.state.lastError = (error as Error).message;
          this.state.lastErrorAt = new Date().toISOString();
          this.options.log?.('projector batch failed; retrying', { error: (error as Error).message, backoffMs: backoff });
          await sleep(backoff, undefined, { signal }).catch(() => undefined);
          backoff = Math.min(backoff * 2, 5_000);
        }
      }
    } finally {
      this.state.running = false;
    }
  }

  /**
   * Projects everything up to the head of the log now, then returns the number of events applied.
   * It stops at the head it found on entry: with commands arriving faster than one per batch, "until
   * a read comes back empty" would never end (and a rebuild would never reach its swap, or hold the
   * swap's lock for ever). Events appended meanwhile are the live projector's.
   */
  async catchUp(onProgress?: (position: number, head: number) => void): Promise<number> {
    let total = 0;
    // It stops at the head it found on entry: under steady writes "until a read comes back empty"
    // would never end (and a rebuild holding its swap lock would block the live projector meanwhile).
    const head = await this.store.headPosition();
    const read = (after: number): Promise<RecordedEvent[]> => {
      if (after >= head) return Promise.resolve([]);
      const page = this.store.readAll({ after, limit: this.batchSize });
      page.catch(() => undefined); // awaited below; this only keeps a failure while a batch is written from counting as unhandled
      return page;
    };
    // The next page is read while this one is written: the two use different connections and, on a
    // small machine, different cores (BENCHMARKS.md, "Rebuild").
    let next = read(await this.checkpoint());
    for (;;) {
      const batch = await next;
      if (batch.length === 0) break;
      const last = batch[batch.length - 1].globalPosition;
      next = read(last);
      if ((await this.applyBatch(batch)) === 'restart') {
        // Someone else moved the checkpoint (another runner, a swap): go on from where it is now.
        next = read(await this.checkpoint());
        continue;
      }
      total += batch.length;
      onProgress?.(last, Math.max(head, last));
    }
    return total;
  }

  /** Resolves true once the read models reflect `position`, false after `timeoutMs`. */
  async waitForPosition(position: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await this.checkpoint()) >= position) return true;
      if (Date.now() >= deadline) return false;
      await sleep(20);
    }
  }

  async checkpoint(): Promise<number> {
    const rows = await this.dataSource.query(
      `SELECT position FROM ${quoteIdent(this.schema)}.projection_checkpoints WHERE name = $1`,
      [PROCEDURE_PROJECTION.name],
    );
    const position = rows.length > 0 ? Number(rows[0].position) : 0;
    this.state.position = position;
    return position;
  }

  async refreshLag(): Promise<ProjectorStatus> {
    const [position, head] = await Promise.all([this.checkpoint(), this.store.headPosition()]);
    this.state.head = head;
    this.state.lag = Math.max(0, head - position);
    return this.status();
  }

  private async applyBatch(batch: readonly RecordedEvent[]): Promise<'applied' | 'restart'> {
    const s = quoteIdent(this.schema);
    const runner: QueryRunner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(
        `INSERT INTO ${s}.projection_checkpoints (name, position) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING`,
        [PROCEDURE_PROJECTION.name],
      );
      const [{ position: stored }] = await runner.query(
        `SELECT position FROM ${s}.projection_checkpoints WHERE name = $1 FOR UPDATE`,
        [PROCEDURE_PROJECTION.name],
      );
      const checkpoint = Number(stored);
      // The batch must start right after the checkpoint. If not, another writer moved it (a second
      // runner, or a rebuild swapping in its tables): start over from the checkpoint as it is now.
      if (batch[0].globalPosition <= checkpoint || !(await this.isContiguous(checkpoint, batch[0].globalPosition))) {
        await runner.rollbackTransaction();
        return 'restart';
      }
      const events = batch;
      const sql = (text: string, params?: unknown[]) => runner.query(text, params);
      const keys = uniqueKeys(events);
      const rows = await loadProcedures(sql, this.schema, keys);
      const plan = planBatch(events, rows, await loadHistories(sql, this.schema, this.store, keysNeedingHistory(events, rows), keys));
      await writePlan(sql, this.schema, plan);
      const authorityEvents = (await projectAuthorityEvents(sql, this.schema, events)) + (await projectNationalFacts(sql, this.schema, events));
      const decisionEvents = await projectDecisionEvents(sql, this.schema, events);
      const last = events[events.length - 1].globalPosition;
      await runner.query(
        // GREATEST: a runner that was paused by a rebuild's swap may write into the swapped-in tables,
        // whose checkpoint is further on; its events are skipped there by revision, and it must not
        // move that checkpoint back.
        `UPDATE ${s}.projection_checkpoints SET position = GREATEST(position, $2), updated_at = now() WHERE name = $1`,
        [PROCEDURE_PROJECTION.name, last],
      );
      await this.options.beforeCommit?.(events);
      await runner.commitTransaction();
      this.state.position = last;
      this.state.eventsProjected += events.length - plan.skipped + authorityEvents + decisionEvents;
      this.state.lastBatchAt = new Date().toISOString();
      this.state.lastError = null;
      this.state.lastErrorAt = null;
      this.state.head = Math.max(this.state.head, last);
      this.state.lag = Math.max(0, this.state.head - last);
      return 'applied';
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  /** True when no event lies between the checkpoint and `first` (positions may have gaps). */
  private async isContiguous(checkpoint: number, first: number): Promise<boolean> {
    if (first === checkpoint + 1) return true;
    const between = await this.store.readAll({ after: checkpoint, limit: 1 });
    return between.length === 0 || between[0].globalPosition >= first;
  }
}

function uniqueKeys(events: readonly RecordedEvent[]) {
  const seen = new Map<string, { authorityCode: string; procedureCode: string }>();
  for (const e of events) {
    const d = e.data as { authorityCode?: unknown; procedureCode?: unknown };
    if (typeof d?.authorityCode === 'string' && typeof d?.procedureCode === 'string') {
      seen.set(procedureKey(d.authorityCode, d.procedureCode), { authorityCode: d.authorityCode, procedureCode: d.procedureCode });
    }
  }
  return [...seen.values()];
}

/**
 * The history of each procedure that needs it (a late, corrected or rescinded event in the batch):
 * its stream from the store and its open interval rows. Rare, so one stream read each.
 */
export async function loadHistories(
  sql: Sql,
  schema: string,
  store: EventStore,
  slow: ReadonlySet<string>,
  keys: readonly { authorityCode: string; procedureCode: string }[],
): Promise<Map<string, ProcedureHistory>> {
  const histories = new Map<string, ProcedureHistory>();
  if (slow.size === 0) return histories;
  const wanted = keys.filter((k) => slow.has(procedureKey(k.authorityCode, k.procedureCode)));
  const open = await loadOpenIntervals(sql, schema, wanted);
  for (const k of wanted) {
    const key = procedureKey(k.authorityCode, k.procedureCode);
    histories.set(key, { events: await store.readStream(procedureStreamId(k.authorityCode, k.procedureCode)), openIntervals: open.get(key) ?? [] });
  }
  return histories;
}
