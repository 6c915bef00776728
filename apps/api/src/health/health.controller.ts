import type { ServerResponse } from 'node:http';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type pg from 'pg';
import { PG_POOL } from '@tthc/platform';
import { PROJECTION_RUNNER, type ProjectionRunner } from '@tthc/read-models';

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

/** Events behind the head after which the projector counts as behind (queries still answer). */
const BEHIND_AFTER_EVENTS = 1_000;

export class ProjectorHealth {
  @ApiProperty({ enum: ['up', 'behind', 'unknown'], description: '`behind`: queries answer, but from an older position' })
  status: 'up' | 'behind' | 'unknown';
  @ApiProperty({ description: 'Global position the read models reflect' })
  position: number;
  @ApiProperty({ description: 'Last position of the event store' })
  head: number;
  @ApiProperty({ description: 'Events not yet projected' })
  lag: number;
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
@Controller('health')
export class HealthController {
  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(PROJECTION_RUNNER) private readonly projection: ProjectionRunner,
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

  private async projector(): Promise<ProjectorHealth> {
    const known = this.projection.status();
    try {
      const { position, head, lag, running, lastError } = await withTimeout(this.projection.refreshLag(), CHECK_TIMEOUT_MS);
      return { status: lag > BEHIND_AFTER_EVENTS ? 'behind' : 'up', position, head, lag, inProcess: running, lastError };
    } catch {
      return { status: 'unknown', position: known.position, head: known.head, lag: known.lag, inProcess: known.running, lastError: known.lastError };
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
