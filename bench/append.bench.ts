import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { migrateEventStore, PostgresEventStore, WrongExpectedVersion, type NewEvent } from '@tthc/event-store';
import type { BenchContext } from './context.js';
import { perSecond, runConcurrently } from './stats.js';

/** One benchmark event (an upgrade), of a procedure numbered from `i`. */
export const event = (i: number): NewEvent => ({
  id: randomUUID(),
  type: 'ProcedureUpgradedToFullProcess',
  schemaVersion: 1,
  data: { authorityCode: '74', procedureCode: `8.${String(i % 1_000_000).padStart(6, '0')}`, from: 'PARTIAL', to: 'FULL_PROCESS', effectiveFrom: '2023-08-20', decisionRef: '1900/QĐ-UBND (tổng hợp)' },
  metadata: { actor: 'bench', correlationId: randomUUID(), causationId: null },
});

/** 1. append: events per second for single-event and 100-event appends, and a hot stream. */
export async function appendBench(ctx: BenchContext) {
  const streams = ctx.args.events ?? 10_000;
  const url = await ctx.database('tthc_bench_append', { fresh: true });
  const pool = new pg.Pool({ connectionString: url, max: 20 });
  await migrateEventStore(pool);
  const store = new PostgresEventStore(pool);
  const results: Record<string, unknown> = {};

  for (const concurrency of [1, 16]) {
    const run = randomUUID().slice(0, 8);
    const started = Date.now();
    await runConcurrently(streams, concurrency, async (i) => {
      await store.appendToStream(`bench-${run}-${i}`, [event(i)], { expectedRevision: 'no_stream' });
    });
    const ms = Date.now() - started;
    results[`oneEventPerAppend_c${concurrency}`] = { streams, events: streams, millis: ms, eventsPerSecond: perSecond(streams, ms) };
    ctx.log(`1 event/append, concurrency ${concurrency}: ${streams} appends in ${ms} ms = ${perSecond(streams, ms)} events/s`);
  }

  for (const concurrency of [1, 16]) {
    const appends = Math.max(16, Math.round(streams / 10));
    const run = randomUUID().slice(0, 8);
    const started = Date.now();
    await runConcurrently(appends, concurrency, async (i) => {
      await store.appendToStream(`bench-batch-${run}-${i}`, Array.from({ length: 100 }, (_, k) => event(i * 100 + k)), { expectedRevision: 'no_stream' });
    });
    const ms = Date.now() - started;
    const events = appends * 100;
    results[`hundredEventsPerAppend_c${concurrency}`] = { appends, events, millis: ms, eventsPerSecond: perSecond(events, ms) };
    ctx.log(`100 events/append, concurrency ${concurrency}: ${events} events in ${ms} ms = ${perSecond(events, ms)} events/s`);
  }

  // Conditional appends on one hot stream: each writer appends at the revision it last saw.
  const hot = `bench-hot-${randomUUID().slice(0, 8)}`;
  await store.appendToStream(hot, [event(0)], { expectedRevision: 'no_stream' });
  const seconds = ctx.args.duration ?? 10;
  const deadline = Date.now() + seconds * 1000;
  let successes = 0;
  let conflicts = 0;
  await Promise.all(
    Array.from({ length: 8 }, async (_, w) => {
      let seen = 0;
      while (Date.now() < deadline) {
        try {
          const r = await store.appendToStream(hot, [event(w)], { expectedRevision: seen });
          seen = r.nextExpectedRevision;
          successes++;
        } catch (error) {
          if (!(error instanceof WrongExpectedVersion)) throw error;
          conflicts++;
          seen = typeof error.actual === 'number' ? error.actual : seen;
        }
      }
    }),
  );
  results.hotStream = { writers: 8, seconds, successes, conflicts, successesPerSecond: Math.round(successes / seconds) };
  ctx.log(`hot stream, 8 writers, ${seconds} s: ${successes} appended, ${conflicts} conflicts`);

  // What PostgreSQL itself allows for the same rows: one-row INSERTs at concurrency 16, no function.
  await pool.query(`CREATE TABLE IF NOT EXISTS raw_events (LIKE event_store.events INCLUDING ALL)`);
  await pool.query(`CREATE SEQUENCE IF NOT EXISTS raw_seq`);

  // A 2,000-item decision's append (appendToStreams: one event to each of 2,000 streams, one
  // commit), beside one multi-row INSERT of the same 2,000 rows into the raw table.
  const items = 2_000;
  const decisionRuns = 5;
  const decisionMs: number[] = [];
  const rawManyMs: number[] = [];
  for (let r = 0; r < decisionRuns; r++) {
    const run = randomUUID().slice(0, 8);
    const appends = Array.from({ length: items }, (_, i) => ({ streamId: `bench-decision-${run}-${i}`, events: [event(i)], expectedRevision: 'no_stream' as const }));
    let t = performance.now();
    await store.appendToStreams(appends);
    decisionMs.push(performance.now() - t);
    const rows = appends.map((a) => a.events[0]);
    t = performance.now();
    await pool.query(
      `INSERT INTO raw_events (global_position, stream_id, stream_revision, event_id, event_type, schema_version, data, metadata, recorded_at, content_hash, hash)
       SELECT nextval('raw_seq'), u.stream_id, 0, u.id, u.type, 1, u.data, u.metadata, now(), u.h, u.h
       FROM unnest($1::text[], $2::uuid[], $3::text[], $4::jsonb[], $5::jsonb[], $6::text[]) AS u(stream_id, id, type, data, metadata, h)`,
      [appends.map((a) => `raw-decision-${run}-${a.streamId}`), rows.map((e) => e.id), rows.map((e) => e.type), rows.map((e) => JSON.stringify(e.data)), rows.map((e) => JSON.stringify(e.metadata)), rows.map(() => '0'.repeat(64))],
    );
    rawManyMs.push(performance.now() - t);
  }
  const median = (xs: number[]) => Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);
  results.decisionAppend = { items, runs: decisionRuns, medianMillis: median(decisionMs), rawMultiRowInsertMedianMillis: median(rawManyMs), ratioToRaw: +(median(rawManyMs) / median(decisionMs)).toFixed(2) };
  ctx.log(`a ${items}-item decision (appendToStreams, one commit): median ${median(decisionMs)} ms; raw multi-row INSERT of the same rows ${median(rawManyMs)} ms (${(median(rawManyMs) / median(decisionMs)).toFixed(2)}× of raw)`);

  const rawStarted = Date.now();
  await runConcurrently(streams, 16, async (i) => {
    const e = event(i);
    await pool.query(
      `INSERT INTO raw_events (global_position, stream_id, stream_revision, event_id, event_type, schema_version, data, metadata, recorded_at, content_hash, hash)
       VALUES (nextval('raw_seq'), $1, 0, $2, $3, 1, $4, $5, now(), $6, $6)`,
      [`raw-${i}`, e.id, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata), '0'.repeat(64)],
    );
  });
  const rawMs = Date.now() - rawStarted;
  results.rawInsert_c16 = { rows: streams, millis: rawMs, rowsPerSecond: perSecond(streams, rawMs) };
  ctx.log(`raw PostgreSQL 1-row INSERT, concurrency 16: ${perSecond(streams, rawMs)} rows/s`);
  await pool.end();
  return results;
}
