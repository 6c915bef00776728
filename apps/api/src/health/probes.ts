import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { EVENT_STORE, type EventStore } from '@tthc/event-store';
import { DATABASE_MONITOR, PG_POOL, unmonitored, withTimeout, type DatabaseMonitor, type DatabaseRequestState } from '@tthc/platform';
import { PROJECTION_RUNNER, QUERY_ROUTER, type ProjectionRunner, type QueryRouter, type ReplicaState } from '@tthc/read-models';

/** Each probe answers within this, or counts as failed. */
export const PROBE_TIMEOUT_MS = 2_000;

export interface DatabaseProbe {
  /** The probe passed and the requests reach the database. */
  up: boolean;
  probe: 'ok' | 'failed';
  requests: DatabaseRequestState;
}

/**
 * The fresh readings /health and /metrics are made of, each bounded by PROBE_TIMEOUT_MS; a reading
 * that fails or times out is null, never a value remembered from before.
 */
@Injectable()
export class OperationsProbes {
  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(DATABASE_MONITOR) private readonly monitor: DatabaseMonitor,
    @Inject(PROJECTION_RUNNER) private readonly projection: ProjectionRunner,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(QUERY_ROUTER) private readonly router: QueryRouter,
  ) {}

  /** The read replica: reachable, its lag in bytes and seconds, where queries go; undefined without DATABASE_READ_URL. */
  replica(): Promise<ReplicaState | undefined> {
    return this.router.replicaState(this.pool, PROBE_TIMEOUT_MS);
  }

  /**
   * `SELECT 1` through the pool (not counted by the DatabaseMonitor), and what the requests saw: down
   * when the probe fails, and also when the requests' own calls fail or hang while the probe passes
   * (connections stuck on a silent network, while a new one gets through).
   */
  async database(): Promise<DatabaseProbe> {
    const probe = await withTimeout(this.pool.query(unmonitored('SELECT 1')), PROBE_TIMEOUT_MS).then(
      () => 'ok' as const,
      () => 'failed' as const,
    );
    const requests = this.monitor.snapshot();
    return { up: probe === 'ok' && requests.reachable, probe, requests };
  }

  /** The event store's head position; null when it cannot be read in time. */
  head(): Promise<number | null> {
    return withTimeout(this.store.headPosition(), PROBE_TIMEOUT_MS).catch(() => null);
  }

  /** The projection's checkpoint; null when it cannot be read in time (its table locked, the database down). */
  checkpoint(): Promise<number | null> {
    return withTimeout(this.projection.checkpoint(), PROBE_TIMEOUT_MS).catch(() => null);
  }

  /** How long ago the oldest event after `position` was recorded, in whole seconds (0 when none); null when it cannot be read. */
  async delaySeconds(position: number): Promise<number | null> {
    try {
      const [oldest] = await withTimeout(this.store.readAll({ after: position, limit: 1 }), PROBE_TIMEOUT_MS);
      const recorded = oldest === undefined ? NaN : Date.parse(oldest.metadata.recordedAt);
      return Number.isFinite(recorded) ? Math.max(0, Math.floor((Date.now() - recorded) / 1_000)) : 0;
    } catch {
      return null;
    }
  }
}
