import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PROJECTION_RUNNER, type ProjectionRunner } from '@tthc/read-models';
import { Public } from '../auth/roles.decorator.js';
import { CommandRefusals } from '../logging/command-refusals.js';

/** Prometheus text exposition (format 0.0.4) of the figures operators alert on. */
@ApiTags('operations')
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(PROJECTION_RUNNER) private readonly projection: ProjectionRunner,
    private readonly refusals: CommandRefusals,
  ) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics', description: 'The text exposition format 0.0.4, for a Prometheus scrape.' })
  @ApiOkResponse({ description: 'Prometheus metrics', content: { 'text/plain': { schema: { type: 'string' } } } })
  async metrics(): Promise<string> {
    const status = await this.projection.refreshLag().catch(() => this.projection.status());
    const memory = process.memoryUsage();
    return [
      gauge('tthc_projector_position', 'Global log position the read models reflect', status.position),
      gauge('tthc_event_store_head_position', 'Last position of the event store visible to readers', status.head),
      gauge('tthc_projector_lag_events', 'Events appended but not yet projected', status.lag),
      gauge('tthc_projector_running', 'Whether this process runs the projector', status.running ? 1 : 0),
      counter('tthc_projector_events_projected_total', 'Events projected by this process', status.eventsProjected),
      gauge('process_resident_memory_bytes', 'Resident set size', memory.rss),
      gauge('nodejs_heap_used_bytes', 'V8 heap in use', memory.heapUsed),
      gauge('process_uptime_seconds', 'Seconds since the process started', Math.round(process.uptime())),
      await this.refusals.registry.metrics(),
    ].join('');
  }
}

const gauge = (name: string, help: string, value: number) => `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${value}\n`;
const counter = (name: string, help: string, value: number) => `# HELP ${name} ${help}\n# TYPE ${name} counter\n${name} ${value}\n`;
