import type { ServerResponse } from 'node:http';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PROJECTION_RUNNER, type ProjectionRunner } from '@tthc/read-models';
import { Public } from '../auth/roles.decorator.js';
import { CommandRefusals } from '../logging/command-refusals.js';
import { ApiMetrics, processMetrics } from '../metrics/api-metrics.js';
import { OperationsProbes } from './probes.js';

/**
 * Prometheus text exposition (format 0.0.4), with prom-client: the process's default metrics, HTTP
 * request durations by route and status, event-store append latency, and the projector's and the
 * database's state read fresh at each scrape.
 *
 * While the database is down it still answers 200, with `tthc_database_up 0`, and leaves out the
 * series it could not read (position, head, lag, delay) rather than repeat their last values: the
 * Prometheus convention for an exporter whose source fails (an `_up` gauge, not a failed scrape),
 * so that the process and HTTP series, the ones that show the outage's effect, keep coming. A 503
 * would lose them all and read as "the api is down" when only its database is.
 */
@ApiTags('operations')
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly series: ApiMetrics,
    private readonly probes: OperationsProbes,
    @Inject(PROJECTION_RUNNER) private readonly projection: ProjectionRunner,
    private readonly refusals: CommandRefusals,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Prometheus metrics',
    description:
      'The text exposition format 0.0.4, for a Prometheus scrape. With the database down: `tthc_database_up 0`, and no ' +
      'tthc_projector_position, tthc_event_store_head_position, tthc_projector_lag_events or tthc_projector_delay_seconds. ' +
      'With a read replica (DATABASE_READ_URL): tthc_read_replica_up, and while it answers tthc_read_replica_lag_bytes and tthc_read_replica_lag_seconds.',
  })
  @ApiOkResponse({ description: 'Prometheus metrics', content: { 'text/plain': { schema: { type: 'string' } } } })
  async metrics(@Res() res: ServerResponse): Promise<void> {
    const metrics = this.series;
    const database = await this.probes.database();
    metrics.databaseUp.set(database.up ? 1 : 0);
    const { running, eventsProjected } = this.projection.status();
    metrics.projectorRunning.set(running ? 1 : 0);
    metrics.setEventsProjected(eventsProjected);
    const fresh = database.up && (await this.readFromDatabase());
    const replica = await this.probes.replica();
    if (replica) {
      metrics.replicaUp.set(replica.reachable ? 1 : 0);
      if (replica.lagBytes !== null) metrics.replicaLagBytes.set(replica.lagBytes);
      if (replica.lagSeconds !== null) metrics.replicaLagSeconds.set(replica.lagSeconds);
    }
    const replicaLag = replica?.reachable && replica.lagBytes !== null && replica.lagSeconds !== null;

    const parts = [
      await processMetrics().metrics(),
      await metrics.registry.metrics(),
      await this.refusals.registry.metrics(),
      fresh ? await metrics.fromDatabase.metrics() : '',
      replica ? await metrics.replica.metrics() : '',
      replicaLag ? await metrics.fromReplica.metrics() : '',
    ];
    res.statusCode = 200;
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.end(parts.join('\n'));
  }

  /** The projector's position, the head, the lag and the delay, read now; false when any cannot be. */
  private async readFromDatabase(): Promise<boolean> {
    const [head, position] = await Promise.all([this.probes.head(), this.probes.checkpoint()]);
    if (head === null || position === null) return false;
    const lag = Math.max(0, head - position);
    const delay = lag > 0 ? await this.probes.delaySeconds(position) : 0;
    if (delay === null) return false;
    const metrics = this.series;
    metrics.headPosition.set(head);
    metrics.projectorPosition.set(position);
    metrics.projectorLag.set(lag);
    metrics.projectorDelay.set(delay);
    return true;
  }
}
