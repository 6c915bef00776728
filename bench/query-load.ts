import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { shippedAuthorities } from '@tthc/application';
import {
  ONLINE_MODES,
  PROCEDURE_EVENT_SCHEMA_VERSION,
  procedure,
  procedureStreamId,
  type ProcedureCommand,
  type ProcedureState,
} from '@tthc/domain';
import type { EventStore } from '@tthc/event-store';

const DAY = 86_400_000;
const FIRST_DATE = Date.UTC(2023, 0, 1);
/** Before the 2025 merger: a dissolved unit takes no decision from 2025-07-01. */
const LAST_DATE = Date.UTC(2025, 5, 30);
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export interface WriteLoadReport {
  writers: number;
  /** Target events/s over all writers; null: as fast as they go (the peer harness's case a). */
  targetRate: number | null;
  appended: number;
  newStreams: number;
  existingStreams: number;
  refused: number;
  seconds: number;
  eventsPerSecond: number;
}

/**
 * The write side of the queries benchmark: `writers` concurrent appenders, each appending ONE event
 * per append through the real EventStore (case a of ../shared/peer-bench: a new stream, then one more
 * event to a stream it made), alternating. Events are real procedure events decided by the domain:
 * registrations on a past date of 2023–2025 and, on the streams a writer made, reclassifications and
 * paper-intake changes on or after the stream's last date, so that the projector's daily-summary rows
 * after that date are all updated (the costly shape of a live batch). Codes are 8.9xxxxx with a
 * run's tag as suffix, apart from the benchmark log's 8.00xxxx.
 *
 * `rate` (events/s over all writers) paces each writer on a schedule; without it they go as fast as
 * the store lets them.
 */
export function startWriteLoad(store: EventStore, options: { writers: number; rate?: number; runTag: string }) {
  const authorities = shippedAuthorities().provinces2023.map((a) => a.code);
  const controller = new AbortController();
  const report: WriteLoadReport = {
    writers: options.writers,
    targetRate: options.rate ?? null,
    appended: 0,
    newStreams: 0,
    existingStreams: 0,
    refused: 0,
    seconds: 0,
    eventsPerSecond: 0,
  };
  const started = performance.now();
  const perWriterIntervalMs = options.rate ? (1000 * options.writers) / options.rate : 0;

  const writer = async (w: number) => {
    const mine: { streamId: string; authorityCode: string; procedureCode: string; state: ProcedureState; revision: number; lastDate: number }[] = [];
    let next = performance.now();
    let n = 0;
    let turn = 0;
    while (!controller.signal.aborted) {
      if (perWriterIntervalMs > 0) {
        next += perWriterIntervalMs;
        const wait = next - performance.now();
        if (wait > 0) await sleep(wait);
        else next = performance.now(); // behind: do not burst to catch up
      }
      const existing = turn++ % 2 === 1 && mine.length > 0 ? mine[Math.floor(Math.random() * mine.length)] : undefined;
      try {
        if (!existing) {
          const authorityCode = authorities[Math.floor(Math.random() * authorities.length)];
          // 8.9WWNNN.TAG.HI: writer, a counter, the run's tag (PROCEDURE_CODE_PATTERN allows the suffixes).
          const procedureCode = `8.${900_000 + (w % 100) * 1000 + (n % 1000)}.${options.runTag}.${Math.floor(n / 1000).toString(36).toUpperCase().padStart(2, '0')}`;
          n++;
          const date = FIRST_DATE + Math.floor(Math.random() * ((LAST_DATE - FIRST_DATE) / DAY)) * DAY;
          const onlineMode = ONLINE_MODES[Math.floor(Math.random() * 3)];
          const command: ProcedureCommand = {
            type: 'RegisterProcedure',
            data: {
              authorityCode,
              procedureCode,
              name: `Thủ tục tải thử ${procedureCode} (dữ liệu tổng hợp)`,
              field: 'Tải thử',
              level: 'Cấp tỉnh',
              onlineMode,
              paperIntake: 'ACCEPTED',
              effectiveFrom: isoDay(date),
              decisionRef: `${authorityCode}-TT/QĐ-UBND (tổng hợp)`,
            },
          };
          const events = procedure.decide(command, procedure.initialState());
          const streamId = procedureStreamId(authorityCode, procedureCode);
          await store.appendToStream(streamId, events.map(toNew), { expectedRevision: 'no_stream' });
          mine.push({ streamId, authorityCode, procedureCode, state: events.reduce(procedure.evolve, procedure.initialState()), revision: events.length - 1, lastDate: date });
          report.newStreams++;
        } else {
          const date = Math.min(LAST_DATE, existing.lastDate + Math.floor(1 + Math.random() * 30) * DAY);
          const key = { authorityCode: existing.authorityCode, procedureCode: existing.procedureCode, effectiveFrom: isoDay(date), decisionRef: `${existing.authorityCode}-TT/QĐ-UBND (tổng hợp)` };
          const state = existing.state;
          if (state.status !== 'offered') continue; // withdrawn: never chosen (the writers do not withdraw)
          const others = ONLINE_MODES.filter((m) => m !== state.onlineMode);
          const command: ProcedureCommand =
            state.onlineMode !== 'INFORMATION_ONLY' && Math.random() < 0.3
              ? { type: state.paperIntake === 'DISABLED' ? 'ReenablePaperIntake' : 'DisablePaperIntake', data: key }
              : { type: 'ReclassifyProcedure', data: { ...key, onlineMode: others[Math.floor(Math.random() * others.length)] } };
          const events = procedure.decide(command, existing.state);
          await store.appendToStream(existing.streamId, events.map(toNew), { expectedRevision: existing.revision });
          existing.state = events.reduce(procedure.evolve, existing.state);
          existing.revision += events.length;
          existing.lastDate = date;
          report.existingStreams++;
        }
        report.appended++;
      } catch {
        report.refused++; // a code taken by an earlier run, a decision the domain refuses: not counted
      }
    }
  };
  const done = Promise.all(Array.from({ length: options.writers }, (_, w) => writer(w)));
  return {
    report,
    async stop(): Promise<WriteLoadReport> {
      controller.abort();
      await done;
      report.seconds = (performance.now() - started) / 1000;
      report.eventsPerSecond = Math.round(report.appended / report.seconds);
      return report;
    },
  };
}

function toNew(e: { type: string; data: unknown }) {
  return {
    id: randomUUID(),
    type: e.type,
    schemaVersion: PROCEDURE_EVENT_SCHEMA_VERSION,
    data: e.data,
    metadata: { actor: 'bench-writer', correlationId: 'bench-queries-under-writes', causationId: null },
  };
}

/** What a slow answer coincided with: the server's sessions by wait, Node's pool queue, GC and event-loop delay. */
export interface LoadSample {
  at: number;
  /** Active sessions of the benchmark database by `wait_event_type:wait_event` (or `cpu`). */
  waits: Record<string, number>;
  /** Sessions waiting on a heavyweight lock, with what they run and the blocking pids' statements. */
  lockWaits: { query: string; blockedBy: string[] }[];
}

/**
 * Samples pg_stat_activity every `everyMs` on a connection of its own: how many sessions wait on what,
 * and which are blocked by which (pg_blocking_pids). Also Node's GC pauses and event-loop delay.
 */
export function startSampler(admin: pg.Pool, everyMs = 100) {
  const samples: LoadSample[] = [];
  const gcPauses: { at: number; ms: number; kind: number }[] = [];
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcPauses.push({ at: e.startTime, ms: e.duration, kind: (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0 });
  });
  gc.observe({ entryTypes: ['gc'] });
  let stopped = false;
  const running = (async () => {
    while (!stopped) {
      const at = performance.now();
      try {
        const { rows } = await admin.query<{ wait: string; n: string }>(
          `SELECT coalesce(wait_event_type || ':' || wait_event, 'cpu') AS wait, count(*) AS n
           FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()
           GROUP BY 1`,
        );
        const { rows: locks } = await admin.query<{ query: string; blocked_by: string[] }>(
          `SELECT left(a.query, 120) AS query,
                  array(SELECT left(b.query, 120) FROM pg_stat_activity b WHERE b.pid = ANY (pg_blocking_pids(a.pid))) AS blocked_by
           FROM pg_stat_activity a WHERE a.datname = current_database() AND a.wait_event_type = 'Lock'`,
        );
        samples.push({
          at,
          waits: Object.fromEntries(rows.map((r) => [r.wait, Number(r.n)])),
          lockWaits: locks.map((l) => ({ query: l.query, blockedBy: l.blocked_by })),
        });
      } catch {
        // the sampler never fails the benchmark
      }
      await sleep(everyMs);
    }
  })();
  return {
    samples,
    gcPauses,
    async stop() {
      stopped = true;
      await running;
      gc.disconnect();
      loop.disable();
      const total: Record<string, number> = {};
      for (const s of samples) for (const [k, v] of Object.entries(s.waits)) total[k] = (total[k] ?? 0) + v;
      const lockWaitSamples = samples.filter((s) => s.lockWaits.length > 0);
      // Lock waits of anything but the appenders (whose advisory locks are theirs): the queries' and the projector's.
      const otherLockWaits = samples.flatMap((s) => s.lockWaits).filter((l) => !/event_store\.append_events/.test(l.query));
      return {
        samples: samples.length,
        /** Average active sessions per wait over the run. */
        activeByWait: Object.fromEntries(Object.entries(total).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round((v / Math.max(1, samples.length)) * 100) / 100])),
        lockWaitSamples: lockWaitSamples.length,
        lockWaitExamples: [...otherLockWaits, ...lockWaitSamples.flatMap((s) => s.lockWaits)].slice(0, 5),
        /** Sessions seen waiting on a lock that were not appending: queries, the projector. */
        nonAppendLockWaits: otherLockWaits.length,
        gcPauses: gcPauses.length,
        gcMaxMs: Math.round(Math.max(0, ...gcPauses.map((g) => g.ms)) * 10) / 10,
        gcOver10ms: gcPauses.filter((g) => g.ms > 10).length,
        eventLoopDelayP99Ms: Math.round(loop.percentile(99) / 1e4) / 100,
        eventLoopDelayMaxMs: Math.round(loop.max / 1e4) / 100,
      };
    },
    /** Samples and GC pauses within [from, to] (performance.now() ms), for a slow answer's context. */
    around(from: number, to: number) {
      return {
        waits: samples.filter((s) => s.at >= from - 100 && s.at <= to).map((s) => s.waits),
        lockWaits: samples.filter((s) => s.at >= from - 100 && s.at <= to).flatMap((s) => s.lockWaits),
        gcMs: Math.round(gcPauses.filter((g) => g.at + g.ms >= from && g.at <= to).reduce((sum, g) => sum + g.ms, 0) * 10) / 10,
      };
    },
  };
}
