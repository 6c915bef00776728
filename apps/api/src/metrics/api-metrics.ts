import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AppendOutcome } from '@tthc/event-store';

let processRegistry: Registry | undefined;

/**
 * prom-client's default metrics (process CPU, start time, resident memory, open file descriptors,
 * event-loop lag, heap, GC, …), made once per process: they describe the process, not an app, and
 * their collectors (a GC observer, an event-loop monitor) cannot be stopped.
 */
export function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** Append latencies: a group commit takes a few ms; a lock wait or a slow disk, much longer. */
const APPEND_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The api's own series, one set per app (tests make several apps in one process). Two registries:
 * `registry` always answers; `fromDatabase` holds what is read from the database at each scrape, and
 * is left out of the answer when it could not be read (MetricsController).
 */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly fromDatabase = new Registry();
  /** With a read replica (DATABASE_READ_URL) only: whether it answers, and its lag while it does. */
  readonly replica = new Registry();
  readonly fromReplica = new Registry();

  readonly httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern (not the raw URL; "unmatched" for none) and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [this.registry],
  });
  readonly appendDuration = new Histogram({
    name: 'tthc_event_store_append_duration_seconds',
    help: 'Event store appends as the command waited for them (group commit included), by outcome: ok, conflict, error',
    labelNames: ['outcome'] as const,
    buckets: APPEND_BUCKETS,
    registers: [this.registry],
  });
  readonly databaseUp = new Gauge({
    name: 'tthc_database_up',
    help: "1 when PostgreSQL answered this scrape's probe and the requests reach it, else 0 (the same test as /health)",
    registers: [this.registry],
  });
  readonly projectorRunning = new Gauge({ name: 'tthc_projector_running', help: 'Whether this process runs the projector', registers: [this.registry] });
  readonly eventsProjected = new Counter({ name: 'tthc_projector_events_projected_total', help: 'Events projected by this process', registers: [this.registry] });

  readonly projectorPosition = new Gauge({ name: 'tthc_projector_position', help: 'Global log position the read models reflect', registers: [this.fromDatabase] });
  readonly headPosition = new Gauge({ name: 'tthc_event_store_head_position', help: 'Last position of the event store visible to readers', registers: [this.fromDatabase] });
  readonly projectorLag = new Gauge({ name: 'tthc_projector_lag_events', help: 'Events appended but not yet projected', registers: [this.fromDatabase] });
  readonly projectorDelay = new Gauge({
    name: 'tthc_projector_delay_seconds',
    help: 'Age of the oldest event not yet projected, in seconds (0 when none)',
    registers: [this.fromDatabase],
  });

  readonly replicaUp = new Gauge({
    name: 'tthc_read_replica_up',
    help: "1 when the read replica (DATABASE_READ_URL) answered this scrape's probe, else 0",
    registers: [this.replica],
  });
  readonly replicaLagBytes = new Gauge({
    name: 'tthc_read_replica_lag_bytes',
    help: 'Bytes of WAL written on the primary and not yet replayed on the read replica',
    registers: [this.fromReplica],
  });
  readonly replicaLagSeconds = new Gauge({
    name: 'tthc_read_replica_lag_seconds',
    help: "Age of the replica's last replayed transaction while WAL waits to be replayed, in seconds (0 when caught up)",
    registers: [this.fromReplica],
  });

  /** EventStoreModule's `onAppend`. */
  readonly observeAppend = (seconds: number, outcome: AppendOutcome): void => {
    this.appendDuration.observe({ outcome }, seconds);
  };

  /** A counter only goes up; the projector keeps its own total, which this copies. */
  setEventsProjected(total: number): void {
    this.eventsProjected.reset();
    this.eventsProjected.inc(total);
  }
}
