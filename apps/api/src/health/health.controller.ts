import type { ServerResponse } from 'node:http';
import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiServiceUnavailableResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult, type HealthIndicatorResult } from '@nestjs/terminus';
import type { ProjectorBehindConfig } from '@tthc/platform';
import { PROJECTION_RUNNER, type ProjectionRunner, type ReplicaState } from '@tthc/read-models';
import { Public } from '../auth/roles.decorator.js';
import { OperationsProbes, PROBE_TIMEOUT_MS } from './probes.js';

export const PROJECTOR_BEHIND = Symbol('PROJECTOR_BEHIND');
/**
 * When the projector counts as behind (queries still answer, from an older position): more events
 * than `events` not yet projected, or the oldest of them recorded more than `seconds` ago. The
 * second catches a stalled projector however small the lag, and stays quiet while a busy one keeps up.
 */
export const DEFAULT_PROJECTOR_BEHIND: ProjectorBehindConfig = { events: 1_000, seconds: 30 };

class LastFailure {
  @ApiProperty({ format: 'date-time' })
  at: string;
  @ApiProperty()
  message: string;
}

@ApiExtraModels(LastFailure)
class DatabaseRequestsHealth {
  @ApiProperty({ description: "false while the api's own database calls fail or hang (see DatabaseMonitor)" })
  reachable: boolean;
  @ApiProperty({ description: 'Database calls sent and not answered yet' })
  inFlight: number;
  @ApiProperty({ description: 'How long the oldest of them has waited, in ms' })
  oldestInFlightMs: number;
  @ApiProperty({ description: 'Calls that failed to reach the database in the last minute (timeouts, lost connections)' })
  failuresLastMinute: number;
  // A $ref cannot be nullable in OpenAPI 3.0: null is the other alternative.
  @ApiProperty({ oneOf: [{ $ref: getSchemaPath(LastFailure) }, { type: 'object', nullable: true, enum: [null] }], description: 'null: none in the last minute' })
  lastFailure: LastFailure | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastSuccessAt: string | null;
}

export class DatabaseHealth {
  @ApiProperty({ enum: ['up', 'down'], description: '`down` when the probe fails or the requests fail or hang' })
  status: 'up' | 'down';
  @ApiProperty({ enum: ['ok', 'failed'], description: `SELECT 1 through the pool, within ${PROBE_TIMEOUT_MS} ms` })
  probe: 'ok' | 'failed';
  @ApiProperty({ type: DatabaseRequestsHealth, description: 'What the requests of this process saw' })
  requests: DatabaseRequestsHealth;
}

export class EventStoreHealth {
  @ApiProperty({ enum: ['up', 'down'] })
  status: 'up' | 'down';
  @ApiProperty({ type: Number, nullable: true, description: 'Last position of the log; null when it could not be read' })
  head: number | null;
}

export class ProjectorHealth {
  @ApiProperty({ enum: ['up', 'degraded'], description: '`degraded`: queries answer, but from an older position (see `state`)' })
  status: 'up' | 'degraded';
  @ApiProperty({
    enum: ['up', 'behind', 'failing', 'unknown'],
    description: '`behind`: lag past the bounds; `failing`: its batches fail (`lastError`) with events waiting; `unknown`: the log cannot be read',
  })
  state: 'up' | 'behind' | 'failing' | 'unknown';
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
  @ApiProperty({ nullable: true, type: String, description: "The last batch's failure, until a batch commits again" })
  lastError: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  lastErrorAt: string | null;
}

export class ReadReplicaHealth {
  @ApiProperty({ enum: ['up', 'degraded'], description: '`degraded`: the replica cannot be reached; queries go to the primary or answer 503 (`queriesGoTo`). Never fails the check: commands go on' })
  status: 'up' | 'degraded';
  @ApiProperty({ description: `The replica answered, within ${PROBE_TIMEOUT_MS} ms` })
  reachable: boolean;
  @ApiProperty({
    type: Boolean,
    nullable: true,
    description:
      'The replica is no longer in recovery (pg_is_in_recovery() false): it was promoted and takes writes; queries go on there. ' +
      'Commands follow it when DATABASE_URL lists its host (docs/running-at-scale.md), else they answer 503 until DATABASE_URL is repointed. Null when it did not answer',
  })
  promoted: boolean | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Bytes of WAL written on the primary and not yet replayed on the replica; null when unknown (the replica or the primary did not answer)' })
  lagBytes: number | null;
  @ApiProperty({ type: Number, nullable: true, description: "Age in seconds of the replica's last replayed transaction while WAL waits (0 when caught up); null when unknown" })
  lagSeconds: number | null;
  @ApiProperty({ enum: ['replica', 'primary', 'none'], description: 'Where queries go now: `primary` while the replica is unreachable with DATABASE_READ_FALLBACK=primary, `none` (503) with `refuse`' })
  queriesGoTo: 'replica' | 'primary' | 'none';
}

class HealthChecks {
  @ApiPropertyOptional({ type: DatabaseHealth })
  database?: DatabaseHealth;
  @ApiPropertyOptional({ type: EventStoreHealth })
  eventStore?: EventStoreHealth;
  @ApiPropertyOptional({ type: ProjectorHealth })
  projector?: ProjectorHealth;
  @ApiPropertyOptional({ type: ReadReplicaHealth, description: 'Only with a read replica (DATABASE_READ_URL)' })
  readReplica?: ReadReplicaHealth;
}

/** @nestjs/terminus's answer: each check under `details`, and again under `info` (up, degraded) or `error` (down). */
export class HealthResponse {
  @ApiProperty({ enum: ['ok', 'degraded', 'error', 'shutting_down'], description: '`ok` and `degraded` answer 200, the others 503' })
  status: 'ok' | 'degraded' | 'error' | 'shutting_down';
  @ApiProperty({ type: HealthChecks })
  info: HealthChecks;
  @ApiProperty({ type: HealthChecks })
  error: HealthChecks;
  @ApiProperty({ type: HealthChecks })
  details: HealthChecks;
}

/**
 * Liveness and readiness, with @nestjs/terminus: the database (a probe, and what the requests saw),
 * the event store (its head) and the projector. A check that is `down` makes the answer a 503; a
 * projector that is behind or failing only `degraded` (200): commands and queries still work, and a
 * client needing its own writes passes `afterPosition`.
 */
@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly probes: OperationsProbes,
    @Inject(PROJECTION_RUNNER) private readonly projection: ProjectionRunner,
    @Inject(PROJECTOR_BEHIND) private readonly behind: ProjectorBehindConfig,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Liveness and readiness',
    description: 'The database, the event store and the projector, each with its status; 503 when a check fails. A projector behind does not fail it.',
  })
  @ApiOkResponse({ type: HealthResponse, description: 'Ready (the projector may be degraded or behind)' })
  @ApiServiceUnavailableResponse({ type: HealthResponse, description: 'Not ready: a check failed' })
  async check(@Res() res: ServerResponse): Promise<void> {
    const head = this.probes.head(); // read once for both checks
    let result: HealthCheckResult;
    try {
      const replica = this.probes.replica();
      const checks = [() => this.database(), () => this.eventStore(head), () => this.projector(head)];
      if (await replica) checks.push(() => this.readReplica(replica));
      result = await this.health.check(checks);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      result = error.getResponse() as HealthCheckResult;
    }
    // Written directly: Nest would answer a returned value with the route's fixed status.
    res.statusCode = result.status === 'ok' || result.status === 'degraded' ? 200 : 503;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.end(JSON.stringify(result));
  }

  private async database(): Promise<HealthIndicatorResult> {
    const { up, probe, requests } = await this.probes.database();
    const check = this.indicators.check('database');
    return up ? check.up({ probe, requests }) : check.down({ probe, requests });
  }

  private async readReplica(state: Promise<ReplicaState | undefined>): Promise<HealthIndicatorResult> {
    const replica = (await state)!;
    const check = this.indicators.check('readReplica');
    return replica.reachable ? check.up({ ...replica }) : check.degraded({ ...replica });
  }

  private async eventStore(head: Promise<number | null>): Promise<HealthIndicatorResult> {
    const position = await head;
    const check = this.indicators.check('eventStore');
    return position === null ? check.down({ head: null }) : check.up({ head: position });
  }

  /**
   * The head of the log and the checkpoint, each read with a bound. A checkpoint that cannot be read
   * in time (its table locked) is taken as last known: the projector is then behind if the log moved on.
   */
  private async projector(headPosition: Promise<number | null>): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('projector');
    const known = this.projection.status();
    const errors = { lastError: known.lastError, lastErrorAt: known.lastErrorAt };
    const head = await headPosition;
    if (head === null) {
      return check.degraded({ state: 'unknown', position: known.position, head: known.head, lag: known.lag, delaySeconds: 0, inProcess: known.running, ...errors });
    }
    const position = (await this.probes.checkpoint()) ?? known.position;
    const lag = Math.max(0, head - position);
    const delaySeconds = lag > 0 ? ((await this.probes.delaySeconds(position)) ?? 0) : 0;
    const now = this.projection.status();
    // A failure with nothing left to project is past: the next batch would clear it.
    const state = now.lastError !== null && lag > 0 ? 'failing' : lag > this.behind.events || (lag > 0 && delaySeconds > this.behind.seconds) ? 'behind' : 'up';
    const data = { state, position, head, lag, delaySeconds, inProcess: now.running, lastError: now.lastError, lastErrorAt: now.lastErrorAt };
    return state === 'up' ? check.up(data) : check.degraded(data);
  }
}
