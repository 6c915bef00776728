import type { ServerResponse } from 'node:http';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type pg from 'pg';
import { EVENT_STORE, type EventStore } from '@tthc/event-store';
import { PG_POOL, type ProjectorBehindConfig } from '@tthc/platform';
import { PROJECTION_RUNNER, type ProjectionRunner } from '@tthc/read-models';
import { Public } from '../auth/roles.decorator.js';

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const CHECK_TIMEOUT_MS = 2_000;

export const PROJECTOR_BEHIND = Symbol('PROJECTOR_BEHIND');
/**
 * When the projector counts as behind (queries still answer, from an older position): more events
 * than `events` not yet projected, or the oldest of them recorded more than `seconds` ago. The
 * second catches a stalled projector however small the lag, and stays quiet while a busy one keeps up.
 */
export const DEFAULT_PROJECTOR_BEHIND: ProjectorBehindConfig = { events: 1_000, seconds: 30 };

export class ProjectorHealth {
  @ApiProperty({ enum: ['up', 'behind', 'unknown'], description: '`behind`: queries answer, but from an older position' })
  status: 'up' | 'behind' | 'unknown';
  @ApiProperty({ description: 'Global position the read models reflect' })
  position: number;
  @ApiProperty({ description: 'Last position of the event store' })
  head: number;
  @ApiProperty({ description: 'Events not yet projected' })
  lag: number;
  @ApiProperty({ description: 'Age in seconds of the oldest event not yet projected (0 when none)' })
  delaySeconds: number;
  @ApiProperty({ description: 'Whether this process runs the projector (false when apps/projector does)' })
  inProcess: boolean;
  @ApiProperty({ nullable: true, type: String })
  lastError: string | null;
}

export class HealthResponse {
  @ApiProperty({ enum: ['ok', 'error'] })
  status: 'ok' | 'error';
  @ApiProperty({ enum: ['up', 'down'] })
  database: 'up' | 'down';
  @ApiProperty({ type: ProjectorHealth })
  projector: ProjectorHealth;
}

/**
 * Liveness and readiness. Each check adds a member to the answer; any failing one makes it a 503.
 * A projector that is behind does not fail the check: commands and queries still work, and a
 * client needing its own writes passes `afterPosition`.
 */
@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(PROJECTION_RUNNER) private readonly projection: ProjectionRunner,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTOR_BEHIND) private readonly behind: ProjectorBehindConfig,
  ) {}

  @Get()
  @ApiOkResponse({ type: HealthResponse })
  @ApiServiceUnavailableResponse({ type: HealthResponse })
  async health(@Res() res: ServerResponse): Promise<void> {
    const database = (await this.databaseUp()) ? 'up' : 'down';
    const body: HealthResponse = { status: database === 'up' ? 'ok' : 'error', database, projector: await this.projector() };
    // Written directly: Nest would answer a returned value with the route's fixed status.
    res.statusCode = body.status === 'ok' ? 200 : 503;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.end(JSON.stringify(body));
  }

  /**
   * The head of the log and the checkpoint, each read with a bound. A checkpoint that cannot be read
   * in time (its table locked) is taken as last known: the projector is then behind if the log moved on.
   */
  private async projector(): Promise<ProjectorHealth> {
    const known = this.projection.status();
    let head: number;
    try {
      head = await withTimeout(this.store.headPosition(), CHECK_TIMEOUT_MS);
    } catch {
      return { status: 'unknown', position: known.position, head: known.head, lag: known.lag, delaySeconds: 0, inProcess: known.running, lastError: known.lastError };
    }
    const position = await withTimeout(this.projection.checkpoint(), CHECK_TIMEOUT_MS).catch(() => known.position);
    const lag = Math.max(0, head - position);
    const delaySeconds = lag > 0 ? await this.delaySeconds(position) : 0;
    const behind = lag > this.behind.events || (lag > 0 && delaySeconds > this.behind.seconds);
    const { running, lastError } = this.projection.status();
    return { status: behind ? 'behind' : 'up', position, head, lag, delaySeconds, inProcess: running, lastError };
  }

  /** How long ago the oldest event after `position` was recorded, in whole seconds. */
  private async delaySeconds(position: number): Promise<number> {
    try {
      const [oldest] = await withTimeout(this.store.readAll({ after: position, limit: 1 }), CHECK_TIMEOUT_MS);
      const recorded = oldest === undefined ? NaN : Date.parse(oldest.metadata.recordedAt);
      return Number.isFinite(recorded) ? Math.max(0, Math.floor((Date.now() - recorded) / 1_000)) : 0;
    } catch {
      return 0;
    }
  }

  private async databaseUp(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.pool.query('SELECT 1').then(() => true), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
