import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/test-database.js';
import type { NewEvent, RecordedEvent } from '../../event-store.port.js';
import { storeEventLogSource } from '../../tamper-evidence/event-log-source.js';
import { EventLogVerifier } from '../../tamper-evidence/event-log-verifier.js';
import { GENESIS_HASH, nextLogDigest, recomputeEventHash } from '../../tamper-evidence/hash-chain.js';
import { advanceLogDigest, PostgresEventLog } from './postgres-event-log.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { EVENT_STORE_SCHEMA_VERSION, migrateEventStore } from './postgres-schema.js';

/*
 * Tamper evidence on a real PostgreSQL: the hashes append_events computes in SQL are the ones the
 * TypeScript formulas give; rows edited, deleted or moved with SQL are reported where they are;
 * the digest checkpoints; and version 3 hashing a log written before it.
 */

const STREAMS = ['procedure-74:1.000001', 'procedure-74:1.000002', 'procedure-01:1.000003', 'procedure-79:thủ-tục|1'];
const CHECKPOINT_EVERY = 10;

interface Seeded {
  db: TestDatabase;
  pool: pg.Pool;
  store: PostgresEventStore;
  verifier: EventLogVerifier;
  /** The log as appended, in position order. */
  events: RecordedEvent[];
  sql<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(cleanups.map((close) => close()));
});

/** A fresh database holding 40 events in 4 interleaved streams, digested every 10 events. */
async function seeded(): Promise<Seeded> {
  const db = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  await migrateEventStore(pool);
  const store = new PostgresEventStore(pool);
  for (let i = 0; i < 40; i++) {
    await store.appendToStream(STREAMS[i % 4], i % 7 === 0 ? [event(i), event(i + 0.5)] : [event(i)]);
  }
  await advanceLogDigest(pool, { checkpointEvery: CHECKPOINT_EVERY });
  const events = await store.readAll({ limit: 10_000 });
  const seededLog: Seeded = {
    db,
    pool,
    store,
    verifier: new EventLogVerifier(new PostgresEventLog(pool, { checkpointEvery: CHECKPOINT_EVERY })),
    events,
    sql: async (text, params) => (await pool.query(text, params)).rows,
    async close() {
      await pool.end();
      await db.drop();
    },
  };
  cleanups.push(() => seededLog.close());
  return seededLog;
}

/** A fresh database with no schema, dropped after the suite. */
async function emptyDatabase(): Promise<pg.Pool> {
  const db = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  cleanups.push(async () => {
    await pool.end();
    await db.drop();
  });
  return pool;
}

function event(n: number, overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    id: randomUUID(),
    type: 'ProcedureReclassified',
    schemaVersion: 1,
    data: {
      n,
      onlineMode: n % 2 === 0 ? 'PARTIAL' : 'FULL_PROCESS',
      decisionRef: `QĐ ${Math.floor(n)}/QĐ-UBND`,
      'địa chỉ': { 'phường/xã': 'Phường Phú Cường, Thủ Dầu Một', emoji: '🇻🇳 ✅', rtl: 'مرحبا' },
      numbers: [0.1, 1.5e-7, 1e21, -0, 9007199254740991, 2 ** 60],
    },
    metadata: { actor: 'cán-bộ@sotp.binhduong.gov.vn', correlationId: randomUUID(), causationId: n % 3 === 0 ? null : randomUUID() },
    ...overrides,
  };
}

function at(events: readonly RecordedEvent[], streamId: string, revision: number): RecordedEvent {
  const found = events.find((e) => e.streamId === streamId && e.revision === revision);
  if (!found) throw new Error(`no revision ${revision} in ${streamId}`);
  return found;
}

describe('PostgreSQL tamper evidence', () => {
  describe('an untouched log', () => {
    it('holds, for every event, the hash the TypeScript formula gives (computed in SQL by append_events)', async () => {
      const { events } = await seeded();
      const last = new Map<string, string>();
      for (const e of events) {
        expect(e.hash).toBe(recomputeEventHash(e, last.get(e.streamId) ?? GENESIS_HASH).hash);
        last.set(e.streamId, e.hash!);
      }
    });

    it('verifies ok, with the digest of the whole log and every checkpoint checked', async () => {
      const { verifier, events, sql } = await seeded();
      const report = await verifier.verify();
      expect(report).toEqual({
        ok: true,
        eventsChecked: events.length,
        streamsChecked: 4,
        upToPosition: events[events.length - 1].globalPosition,
        chains: { ok: true, problemCount: 0, problems: [] },
        logDigest: {
          ok: true,
          checkpointsChecked: Math.ceil(events.length / CHECKPOINT_EVERY),
          digest: events.reduce((d, e) => nextLogDigest(d, e.hash!), GENESIS_HASH),
          problemCount: 0,
          problems: [],
        },
      });
      const checkpoints = await sql<{ position: string; events: string }>(`SELECT position, events FROM event_store.log_digests ORDER BY position`);
      expect(checkpoints.map((c) => Number(c.events))).toEqual([10, 20, 30, 40, 46]);
      expect(Number(checkpoints[4].position)).toBe(report.upToPosition);
    });

    it('also verifies through the port alone, as for any adapter', async () => {
      const { store, events } = await seeded();
      const report = await new EventLogVerifier(storeEventLogSource(store)).verify({ batchSize: 7 });
      expect(report).toMatchObject({ ok: true, eventsChecked: events.length, streamsChecked: 4 });
    });

    it('keeps an explicit record time to the millisecond, and verifies it', async () => {
      const { store, verifier } = await seeded();
      const stream = `import-${randomUUID()}`;
      await store.appendToStream(stream, [event(1, { metadata: { actor: 'a', correlationId: 'c', causationId: null, recordedAt: '2019-03-01T08:00:00.123456Z' } })]);
      const [read] = await store.readStream(stream);
      expect(read.metadata.recordedAt).toBe('2019-03-01T08:00:00.123Z');
      expect((await verifier.verify()).ok).toBe(true);
    });
  });

  describe('a row edited with SQL', () => {
    it("is reported as a hash mismatch at its stream, revision and position, and nothing else", async () => {
      const { sql, verifier, events } = await seeded();
      const target = at(events, STREAMS[1], 4);
      await sql(`UPDATE event_store.events SET data = jsonb_set(data, '{onlineMode}', '"INFORMATION_ONLY"') WHERE global_position = $1`, [
        target.globalPosition,
      ]);

      const report = await verifier.verify();
      expect(report.ok).toBe(false);
      expect(report.chains.problems).toEqual([
        {
          streamId: STREAMS[1],
          revision: 4,
          globalPosition: target.globalPosition,
          problem: 'hash-mismatch',
          expected: target.hash,
          found: expect.stringMatching(/^[0-9a-f]{64}$/),
          detail: 'its content (id, type, schemaVersion, data or metadata) is not what was appended',
        },
      ]);
      expect(report.logDigest.ok).toBe(true);
    });

    it('is reported when its record time was moved, and told apart from a content change', async () => {
      const { sql, verifier, events } = await seeded();
      const target = at(events, STREAMS[3], 2);
      await sql(`UPDATE event_store.events SET recorded_at = recorded_at - interval '1 day' WHERE global_position = $1`, [target.globalPosition]);
      const { chains } = await verifier.verify();
      expect(chains.problems).toEqual([
        expect.objectContaining({ streamId: STREAMS[3], revision: 2, globalPosition: target.globalPosition, problem: 'hash-mismatch', detail: expect.stringContaining('recordedAt') }),
      ]);
    });

    it('is reported even when its content hash was recomputed too', async () => {
      const { sql, verifier, events } = await seeded();
      const target = at(events, STREAMS[0], 0);
      await sql(`UPDATE event_store.events SET metadata = jsonb_set(metadata, '{actor}', '"someone-else"'), content_hash = $2 WHERE global_position = $1`, [
        target.globalPosition,
        recomputeEventHash({ ...target, metadata: { ...target.metadata, actor: 'someone-else' } }, GENESIS_HASH).contentHash,
      ]);
      const { chains } = await verifier.verify();
      expect(chains.problems).toEqual([expect.objectContaining({ streamId: STREAMS[0], revision: 0, globalPosition: target.globalPosition, problem: 'hash-mismatch' })]);
    });
  });

  describe('a row deleted with SQL', () => {
    it('is reported as a missing revision, a broken link at the next one, and a digest window one event short', async () => {
      const { sql, verifier, events } = await seeded();
      const deleted = at(events, STREAMS[2], 3);
      const next = at(events, STREAMS[2], 4);
      await sql(`DELETE FROM event_store.events WHERE global_position = $1`, [deleted.globalPosition]);

      const report = await verifier.verify();
      expect(report.chains.problems).toEqual([
        expect.objectContaining({ streamId: STREAMS[2], revision: 3, globalPosition: null, problem: 'missing-revision', expected: 3, found: 4 }),
        expect.objectContaining({ streamId: STREAMS[2], revision: 4, globalPosition: next.globalPosition, problem: 'broken-link' }),
      ]);
      expect(report.logDigest.problems).toEqual([
        expect.objectContaining({ problem: 'digest-mismatch', eventsFound: expect.any(Number), detail: expect.stringContaining('1 event(s)') }),
      ]);
      const [window] = report.logDigest.problems;
      expect(window.eventsExpected - window.eventsFound).toBe(1);
      expect(deleted.globalPosition).toBeGreaterThan(window.fromPosition);
      expect(deleted.globalPosition).toBeLessThanOrEqual(window.toPosition);
      expect(report.eventsChecked).toBe(events.length - 1);
    });

    it("is detected at the end of the log, where no chain shows it, by the last checkpoint", async () => {
      const { sql, verifier, events } = await seeded();
      const last = events[events.length - 1];
      await sql(`DELETE FROM event_store.events WHERE global_position = $1`, [last.globalPosition]);
      const report = await verifier.verify();
      expect(report.chains.ok).toBe(true);
      expect(report.upToPosition).toBe(last.globalPosition);
      expect(report.logDigest.problems).toEqual([expect.objectContaining({ toPosition: last.globalPosition, eventsExpected: events.length, eventsFound: events.length - 1 })]);
    });
  });

  describe('rows swapped with SQL', () => {
    it('of two streams: reported by the digest window that holds both positions', async () => {
      const { sql, verifier, events } = await seeded();
      // Positions 12 and 13, in the window (10, 20] of the checkpoints.
      const [a, b] = [events[11], events[12]];
      expect(a.streamId).not.toBe(b.streamId);
      await swapPositions(sql, a.globalPosition, b.globalPosition);

      const report = await verifier.verify();
      expect(report.chains.ok).toBe(true);
      expect(report.logDigest.problems).toEqual([
        expect.objectContaining({ problem: 'digest-mismatch', fromPosition: events[9].globalPosition, toPosition: events[19].globalPosition, eventsExpected: 20, eventsFound: 20 }),
      ]);
    });

    it("of one stream: reported at the revision that is no longer after its predecessor", async () => {
      const { sql, verifier, events } = await seeded();
      const a = at(events, STREAMS[1], 5);
      const b = at(events, STREAMS[1], 6);
      await swapPositions(sql, a.globalPosition, b.globalPosition);

      const report = await verifier.verify();
      expect(report.chains.problems).toEqual([
        expect.objectContaining({ streamId: STREAMS[1], revision: 6, globalPosition: a.globalPosition, problem: 'position-order', found: a.globalPosition, expected: b.globalPosition + 1 }),
      ]);
      expect(report.logDigest.ok).toBe(false);
    });
  });

  describe('advanceLogDigest', () => {
    it('writes a checkpoint every N events and at the end, and nothing when there is nothing new', async () => {
      const { pool, store, sql, events } = await seeded();
      expect(await advanceLogDigest(pool, { checkpointEvery: CHECKPOINT_EVERY })).toMatchObject({ events: events.length });
      expect(await sql(`SELECT 1 FROM event_store.log_digests`)).toHaveLength(5);

      await store.appendToStream(STREAMS[0], [event(100), event(101), event(102)]);
      // Readers see an event once no older transaction of the server is open (pg_snapshot_xmin);
      // other test files share this server, so wait until the three are readable.
      let all = await store.readAll({ limit: 1000 });
      for (const until = Date.now() + 10_000; all.length < events.length + 3 && Date.now() < until; all = await store.readAll({ limit: 1000 })) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(all).toHaveLength(events.length + 3);
      const last = await advanceLogDigest(pool, { checkpointEvery: CHECKPOINT_EVERY });
      expect(last).toEqual({ position: all[all.length - 1].globalPosition, events: all.length, digest: all.reduce((d, e) => nextLogDigest(d, e.hash!), GENESIS_HASH) });
      expect(await sql(`SELECT 1 FROM event_store.log_digests`)).toHaveLength(6);
    });

    it('digests no further than a transaction still running below the head, as readers do', async () => {
      const { pool, store, events, db } = await seeded();
      const writer = new pg.Client({ connectionString: db.url });
      await writer.connect();
      try {
        await writer.query('BEGIN');
        await writer.query(
          `SELECT * FROM event_store.append_events('late', 'any', ARRAY[$1]::uuid[], ARRAY['Late'], ARRAY[1], ARRAY['{}']::jsonb[], ARRAY['{}']::jsonb[], NULL, ARRAY[$2])`,
          [randomUUID(), 'a'.repeat(64)],
        );
        await store.appendToStream(STREAMS[0], [event(200)]); // commits, at a higher position
        expect((await advanceLogDigest(pool))?.events).toBe(events.length);
        await writer.query('COMMIT');
      } finally {
        await writer.end();
      }
      expect((await advanceLogDigest(pool))?.events).toBe(events.length + 2);
    });

    it('lets concurrent advancers take turns, each checkpoint written once', async () => {
      const { pool, store, sql } = await seeded();
      for (let i = 0; i < 30; i++) await store.appendToStream(STREAMS[i % 4], [event(300 + i)]);
      const results = await Promise.all([1, 2, 3].map(() => advanceLogDigest(pool, { checkpointEvery: 7 })));
      expect(new Set(results.map((r) => r?.position)).size).toBe(1);
      const rows = await sql<{ events: string }>(`SELECT events FROM event_store.log_digests ORDER BY position`);
      const counts = rows.map((r) => Number(r.events));
      expect(counts).toEqual([...counts].sort((x, y) => x - y));
      expect(counts[counts.length - 1]).toBe(76);
    });
  });

  describe('schema version 3 on a log written before it', () => {
    it('hashes every existing row as append_events would have, and appends chain on from them', async () => {
      const pool = await emptyDatabase();
      expect(await migrateEventStore(pool, undefined, { targetVersion: 2 })).toEqual([1, 2]);
      // Written by version 2's append_events, an explicit record time with microseconds included.
      const written: NewEvent[] = [];
      for (let i = 0; i < 25; i++) {
        const e = event(i, i === 3 ? { metadata: { actor: 'old', correlationId: 'c', causationId: null, recordedAt: '2019-03-01T08:00:00.123456Z' } } : {});
        written.push(e);
        const { recordedAt, ...metadata } = e.metadata;
        await pool.query(
          `SELECT * FROM event_store.append_events($1, 'any', ARRAY[$2]::uuid[], ARRAY[$3], ARRAY[$4]::integer[], ARRAY[$5]::jsonb[], ARRAY[$6]::jsonb[], ARRAY[$7]::timestamptz[])`,
          [STREAMS[i % 3], e.id, e.type, e.schemaVersion, JSON.stringify(e.data), JSON.stringify(metadata), recordedAt ?? null],
        );
      }
      const messages: string[] = [];
      // Version 3 and every later one.
      expect(await migrateEventStore(pool, (m) => messages.push(m))).toEqual(
        Array.from({ length: EVENT_STORE_SCHEMA_VERSION - 2 }, (_, i) => 3 + i),
      );
      expect(messages).toContain('event store schema: hashed 25 existing events');

      const store = new PostgresEventStore(pool);
      await store.appendToStream(STREAMS[0], [event(99)]);
      const all = await store.readAll({ limit: 100 });
      const last = new Map<string, string>();
      for (const e of all) {
        expect(e.hash).toBe(recomputeEventHash(e, last.get(e.streamId) ?? GENESIS_HASH).hash);
        last.set(e.streamId, e.hash!);
      }
      const report = await new EventLogVerifier(new PostgresEventLog(pool)).verify();
      expect(report).toMatchObject({ ok: true, eventsChecked: 26, streamsChecked: 3 });
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM event_store.events WHERE hash IS NULL OR content_hash IS NULL`);
      expect(rows[0].n).toBe(0);
    });
  });

  describe('schema version 7 on a store of version 6', () => {
    it('keeps the chain and the log, and refuses exactly the hashes version 6 refused', async () => {
      const pool = await emptyDatabase();
      expect(await migrateEventStore(pool, undefined, { targetVersion: 6 })).toEqual([1, 2, 3, 4, 5, 6]);
      const store = new PostgresEventStore(pool);
      for (let i = 0; i < 12; i++) await store.appendToStream(STREAMS[i % 3], i % 4 === 0 ? [event(i), event(i + 0.5)] : [event(i)]);
      await store.appendToStreams([
        { streamId: STREAMS[0], events: [event(20)] },
        { streamId: STREAMS[3], events: [event(21), event(22)] },
      ]);
      const before = await store.readAll({ limit: 100 });

      expect(await migrateEventStore(pool)).toEqual(Array.from({ length: EVENT_STORE_SCHEMA_VERSION - 6 }, (_, i) => 7 + i));
      expect(await store.readAll({ limit: 100 })).toEqual(before);
      await store.appendToStream(STREAMS[1], [event(30), event(31)]);
      await store.appendToStreams([
        { streamId: STREAMS[2], events: [event(32)] },
        { streamId: STREAMS[3], events: [event(33)] },
      ]);
      const all = await store.readAll({ limit: 100 });
      expect(all).toHaveLength(before.length + 4);
      const last = new Map<string, string>();
      for (const e of all) {
        expect(e.hash).toBe(recomputeEventHash(e, last.get(e.streamId) ?? GENESIS_HASH).hash);
        last.set(e.streamId, e.hash!);
      }
      expect(await new EventLogVerifier(new PostgresEventLog(pool)).verify()).toMatchObject({ ok: true, eventsChecked: all.length, streamsChecked: 4 });

      // The constraints: every text version 3's '^[0-9a-f]{64}$' refused is refused, and only those.
      const position = all[0].globalPosition;
      const good = 'a'.repeat(32) + '0123456789abcdef'.repeat(2);
      const bad = ['A'.repeat(64), 'a'.repeat(63), 'a'.repeat(65), 'g'.repeat(64), `${'a'.repeat(63)}é`, `${'a'.repeat(62)}é`, `${'a'.repeat(63)}\n`, ''];
      for (const column of ['content_hash', 'hash']) {
        for (const value of bad) {
          expect(/^[0-9a-f]{64}$/.test(value)).toBe(false);
          await expect(pool.query(`UPDATE event_store.events SET ${column} = $1 WHERE global_position = $2`, [value, position])).rejects.toMatchObject({
            code: '23514',
          });
        }
        const { rowCount } = await pool.query(`UPDATE event_store.events SET ${column} = $1 WHERE global_position = $2`, [good, position]);
        expect(rowCount).toBe(1);
      }
      // ...and so does each append function's check of its arguments, before it takes any lock.
      for (const value of bad) {
        const e = event(40);
        const { recordedAt: _r, ...metadata } = e.metadata;
        await expect(
          pool.query(
            `SELECT * FROM event_store.append_events($1, 'any', ARRAY[$2]::uuid[], ARRAY[$3], ARRAY[1], ARRAY[$4]::jsonb[], ARRAY[$5]::jsonb[], NULL, ARRAY[$6])`,
            [STREAMS[0], e.id, e.type, JSON.stringify(e.data), JSON.stringify(metadata), value],
          ),
        ).rejects.toMatchObject({ code: '22023' });
        await expect(
          pool.query(
            `SELECT * FROM event_store.append_events_many(ARRAY[$1], ARRAY['any'], ARRAY[1], ARRAY[$2]::uuid[], ARRAY[$3], ARRAY[1],
               ARRAY[$4]::jsonb[], ARRAY[$5]::jsonb[], ARRAY[NULL]::timestamptz[], ARRAY[$6])`,
            [STREAMS[0], e.id, e.type, JSON.stringify(e.data), JSON.stringify(metadata), value],
          ),
        ).rejects.toMatchObject({ code: '22023' });
      }
    });
  });
});

/** Two rows trade positions; the primary key forbids doing it in one statement. */
async function swapPositions(sql: Seeded['sql'], a: number, b: number): Promise<void> {
  await sql(`UPDATE event_store.events SET global_position = -1 WHERE global_position = $1`, [a]);
  await sql(`UPDATE event_store.events SET global_position = $1 WHERE global_position = $2`, [a, b]);
  await sql(`UPDATE event_store.events SET global_position = $1 WHERE global_position = -1`, [b]);
}
