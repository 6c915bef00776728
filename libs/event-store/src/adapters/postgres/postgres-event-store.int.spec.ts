import { randomInt, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/test-database.js';
import { DuplicateEventIds, WrongExpectedVersion, type NewEvent, type RecordedEvent } from '../../event-store.port.js';
import { storeEventLogSource } from '../../tamper-evidence/event-log-source.js';
import { EventLogVerifier } from '../../tamper-evidence/event-log-verifier.js';
import { eventContentHash } from '../../tamper-evidence/hash-chain.js';
import { eventStoreContract } from '../../testing/event-store.contract.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { EVENT_STORE_SCHEMA_VERSION, migrateEventStore } from './postgres-schema.js';

/*
 * The PostgreSQL adapter: the shared contract, the schema migrations, then what only a real server
 * shows: commits out of position order, failures while the global position lock is held, many
 * concurrent writers and readers. Each describe works in databases of its own.
 */
eventStoreContract('PostgresEventStore', async () => {
  const db = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: 10 });
  await migrateEventStore(pool);
  const store = new PostgresEventStore(pool);
  return {
    store,
    async teardown() {
      await store.close();
      await pool.end();
      await db.drop();
    },
  };
});

const ALL_VERSIONS = Array.from({ length: EVENT_STORE_SCHEMA_VERSION }, (_, i) => i + 1);

describe('PostgreSQL event store schema', () => {
  const databases: TestDatabase[] = [];
  const pools: pg.Pool[] = [];

  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await Promise.all(databases.map((d) => d.drop()));
  });

  async function freshDatabase(poolCount: number): Promise<pg.Pool[]> {
    const db = await createTestDatabase();
    databases.push(db);
    const created = Array.from({ length: poolCount }, () => new pg.Pool({ connectionString: db.url, max: 2 }));
    pools.push(...created);
    return created;
  }

  it('migrates once: running it again applies nothing', async () => {
    const [pool] = await freshDatabase(1);
    expect(await migrateEventStore(pool)).toEqual(ALL_VERSIONS);
    expect(await migrateEventStore(pool)).toEqual([]);
    const { rows } = await pool.query(`SELECT version FROM public.schema_migrations WHERE component = 'event-store' ORDER BY version`);
    expect(rows.map((r) => r.version)).toEqual(ALL_VERSIONS);
  });

  it('is safe to run from three pools at once', async () => {
    const three = await freshDatabase(3);
    const applied = await Promise.all(three.map((pool) => migrateEventStore(pool)));
    expect(applied.filter((a) => a.length > 0)).toEqual([ALL_VERSIONS]);
    expect(applied.filter((a) => a.length === 0)).toHaveLength(2);

    const store = new PostgresEventStore(three[1]);
    const { events } = await store.appendToStream(`schema-${randomUUID()}`, [newEvent()], { expectedRevision: 'no_stream' });
    expect(events[0].globalPosition).toBe(1);
  });

  it("is safe while another component creates public.schema_migrations under its own lock", async () => {
    const [pool, migrator] = await freshDatabase(2);
    // What apps/api does at start-up, under another advisory lock: caught half-way, not committed.
    const other = await pool.connect();
    try {
      await other.query('BEGIN');
      await other.query(`CREATE TABLE IF NOT EXISTS public.schema_migrations (
        component text NOT NULL, version integer NOT NULL, description text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (component, version))`);
      const migrating = migrateEventStore(migrator);
      migrating.catch(() => undefined);
      // Wait until the migration is blocked creating the same table.
      await eventually(async () => {
        const { rows } = await pool.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
             AND query LIKE 'CREATE TABLE IF NOT EXISTS public.schema_migrations%'`,
        );
        return rows.length > 0 ? true : undefined;
      });
      await other.query('COMMIT');
      expect(await migrating).toEqual(ALL_VERSIONS);
    } finally {
      other.release();
    }
  });
});

describe('PostgresEventStore under concurrency', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  const extraPools: pg.Pool[] = [];
  const clients: pg.Client[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 10 });
    pool.on('error', () => undefined); // an idle connection ended by a test's pg_terminate_backend
    await migrateEventStore(pool);
    store = new PostgresEventStore(pool, { pollIntervalMs: 100 });
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await Promise.all(extraPools.map((p) => p.end()));
    await pool.end();
    await db.drop();
  });

  function newPool(max = 2): pg.Pool {
    const created = new pg.Pool({ connectionString: db.url, max });
    created.on('error', () => undefined); // idle connections killed when a failed test drops the database
    extraPools.push(created);
    return created;
  }

  async function newClient(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: db.url });
    clients.push(client);
    await client.connect();
    return client;
  }

  async function globalLockHolders(): Promise<number> {
    const { rows } = await pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
       WHERE l.locktype = 'advisory' AND l.classid = 74002 AND l.granted AND d.datname = current_database()`,
    );
    return Number(rows[0].n);
  }

  it('never lets a reader skip an event whose transaction commits after a later one (out-of-order commit)', async () => {
    const head = await store.headPosition();
    const controller = new AbortController();
    const subscribed: RecordedEvent[] = [];
    const subscription = (async () => {
      for await (const batch of store.subscribeToAll({ after: head, signal: controller.signal })) {
        subscribed.push(...batch);
        if (subscribed.length >= 2) controller.abort();
      }
    })();

    // Writer A takes its position, then dawdles before committing.
    const writerA = await newClient();
    const a = newEvent();
    await writerA.query('BEGIN');
    const [positionA] = await rawAppend(writerA, `ooo-a-${randomUUID()}`, [a]);

    // Writer B takes the next position and commits first.
    const b = newEvent();
    const appendedB = await withDeadline(store.appendToStream(`ooo-b-${randomUUID()}`, [b]), 5_000, 'writer B was blocked by writer A');
    expect(appendedB.events[0].globalPosition).toBeGreaterThan(positionA);

    // B is committed, but showing it now would make every reader step over A's lower position.
    const naive = await pool.query(`SELECT event_id FROM event_store.events WHERE global_position > $1`, [head]);
    expect(naive.rows.map((r) => r.event_id)).toEqual([b.id]);
    expect(await store.readAll({ after: head })).toEqual([]);
    expect(await store.headPosition()).toBe(head);
    await sleep(300);
    expect(subscribed).toEqual([]);

    await writerA.query('COMMIT');
    const read = await eventually(async () => {
      const events = await store.readAll({ after: head });
      return events.length >= 2 ? events : undefined;
    });
    expect(read.map((e) => e.id)).toEqual([a.id, b.id]);
    expect(read.map((e) => e.globalPosition)).toEqual([positionA, appendedB.events[0].globalPosition]);
    expect(await store.headPosition()).toBe(appendedB.events[0].globalPosition);

    await withDeadline(subscription, 10_000, 'the subscription did not deliver A and B');
    expect(subscribed.map((e) => e.id)).toEqual([a.id, b.id]);
  });

  it('shows the later event once the earlier transaction rolls back, leaving a gap', async () => {
    const head = await store.headPosition();
    const writerA = await newClient();
    await writerA.query('BEGIN');
    const [positionA] = await rawAppend(writerA, `ooo-a-${randomUUID()}`, [newEvent()]);
    const b = newEvent();
    const { events } = await store.appendToStream(`ooo-b-${randomUUID()}`, [b]);
    expect(await store.readAll({ after: head })).toEqual([]);

    await writerA.query('ROLLBACK');
    const read = await eventually(async () => {
      const found = await store.readAll({ after: head });
      return found.length > 0 ? found : undefined;
    });
    expect(read.map((e) => e.id)).toEqual([b.id]);
    expect(read[0].globalPosition).toBe(events[0].globalPosition);
    expect(read[0].globalPosition).toBeGreaterThan(positionA);
  });

  it('does not leave the global lock held when an append fails after taking it', async () => {
    // Fault injection, in this test's own database: fail or stall the INSERT inside append_events,
    // that is after the function has taken the global position lock.
    await pool.query(`
      CREATE OR REPLACE FUNCTION public.test_fault() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.event_type = 'Explode' THEN RAISE EXCEPTION 'injected fault'; END IF;
        IF NEW.event_type = 'Stall' THEN PERFORM pg_sleep(10); END IF;
        RETURN NEW;
      END $$;
      DROP TRIGGER IF EXISTS test_fault ON event_store.events;
      CREATE TRIGGER test_fault BEFORE INSERT ON event_store.events FOR EACH ROW EXECUTE FUNCTION public.test_fault();`);
    const other = new PostgresEventStore(newPool());
    try {
      // 1. Through the adapter.
      await expect(store.appendToStream(`fault-${randomUUID()}`, [newEvent(), newEvent({ type: 'Explode' })])).rejects.toThrow(
        'injected fault',
      );
      await withDeadline(other.appendToStream(`fault-${randomUUID()}`, [newEvent()]), 5_000, 'appends stalled after a failed one');

      // 2. In a caller's own transaction, on a connection that stays open afterwards.
      const client = await newClient();
      await client.query('BEGIN');
      await expect(rawAppend(client, `fault-${randomUUID()}`, [newEvent({ type: 'Explode' })])).rejects.toThrow('injected fault');
      await client.query('ROLLBACK');
      await withDeadline(other.appendToStream(`fault-${randomUUID()}`, [newEvent()]), 5_000, 'appends stalled after a failed one');

      // 3. Cancelled by statement_timeout while holding the lock, outside any explicit transaction.
      await client.query(`SET statement_timeout = '200ms'`);
      await expect(rawAppend(client, `fault-${randomUUID()}`, [newEvent({ type: 'Stall' })])).rejects.toThrow(/statement timeout/);
      await client.query(`RESET statement_timeout`);
      await withDeadline(other.appendToStream(`fault-${randomUUID()}`, [newEvent()]), 5_000, 'appends stalled after a cancelled one');

      expect(await globalLockHolders()).toBe(0);
      // The client that failed can append again too.
      await rawAppend(client, `fault-${randomUUID()}`, [newEvent()]);
      expect(await globalLockHolders()).toBe(0);
    } finally {
      await pool.query(`DROP TRIGGER IF EXISTS test_fault ON event_store.events`);
    }
  });

  it('refuses a second append in the same transaction, or after another write in it, taking no position', async () => {
    const client = await newClient();
    const stream = `first-write-${randomUUID()}`;
    await client.query('BEGIN');
    await rawAppend(client, stream, [newEvent()]);
    await expect(rawAppend(client, `first-write-${randomUUID()}`, [newEvent()])).rejects.toMatchObject({ code: '55000' });
    await client.query('ROLLBACK');

    await client.query('BEGIN');
    await client.query('CREATE TEMPORARY TABLE scratch (n int) ON COMMIT DROP; INSERT INTO scratch VALUES (1)');
    await expect(rawAppend(client, stream, [newEvent()])).rejects.toMatchObject({ code: '55000' });
    await client.query('ROLLBACK');

    expect(await store.readStream(stream)).toEqual([]);
    expect(await globalLockHolders()).toBe(0);
  });

  it('refuses invalid arguments before taking any lock', async () => {
    const client = await newClient();
    const sql = `SELECT * FROM event_store.append_events($1, $2, $3::uuid[], $4::text[], $5::integer[], $6::jsonb[], $7::jsonb[], NULL, $8::text[])`;
    const hash = 'a'.repeat(64);
    const ok = [[randomUUID()], ['T'], [1], ['{}'], ['{}'], [hash]];
    const invalid: unknown[][] = [
      [null, 'any', ...ok],
      ['s', 'sometimes', ...ok],
      ['s', '-1', ...ok],
      ['s', 'any', [randomUUID()], ['T'], [null], ['{}'], ['{}'], [hash]],
      ['s', 'any', [randomUUID()], ['T', 'U'], [1], ['{}'], ['{}'], [hash]],
      ['s', 'any', [randomUUID()], ['T'], [1], [null], ['{}'], [hash]],
      ['s', 'any', [], [], [], [], [], []],
      // Content hashes: absent, too few, not lowercase hex sha256.
      ['s', 'any', [randomUUID()], ['T'], [1], ['{}'], ['{}'], null],
      ['s', 'any', [randomUUID(), randomUUID()], ['T', 'T'], [1, 1], ['{}', '{}'], ['{}', '{}'], [hash]],
      ['s', 'any', [randomUUID()], ['T'], [1], ['{}'], ['{}'], ['A'.repeat(64)]],
      ['s', 'any', [randomUUID()], ['T'], [1], ['{}'], ['{}'], [null]],
    ];
    for (const params of invalid) {
      await expect(client.query(sql, params)).rejects.toMatchObject({ code: '22023' });
    }
    await expect(store.appendToStream(`invalid-${randomUUID()}`, [newEvent({ data: undefined })])).rejects.toThrow(TypeError);
    expect(await globalLockHolders()).toBe(0);
  });

  it('keeps a subscription going, by polling, when its LISTEN connection is lost', async () => {
    const head = await store.headPosition();
    const controller = new AbortController();
    const seen: RecordedEvent[] = [];
    const subscription = (async () => {
      for await (const batch of store.subscribeToAll({ after: head, signal: controller.signal })) {
        seen.push(...batch);
        if (seen.length >= 2) controller.abort();
      }
    })();
    const first = await store.appendToStream(`listen-${randomUUID()}`, [newEvent()]);
    await eventually(async () => (seen.length >= 1 ? true : undefined));

    const { rows } = await pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = current_database() AND query = 'LISTEN event_store_appended' AND pid <> pg_backend_pid()`,
    );
    expect(rows).toHaveLength(1);
    await sleep(50);
    const second = await store.appendToStream(`listen-${randomUUID()}`, [newEvent()]);
    await withDeadline(subscription, 5_000, 'the subscription stopped delivering');
    expect(seen.map((e) => e.id)).toEqual([first.events[0].id, second.events[0].id]);
  });

  it('refuses an id being appended to another stream by a transaction in progress, without stalling other writers', async () => {
    const shared = newEvent();
    const writerA = await newClient();
    await writerA.query('BEGIN');
    await rawAppend(writerA, `dup-a-${randomUUID()}`, [shared]);

    const other = new PostgresEventStore(newPool());
    const duplicate = store.appendToStream(`dup-b-${randomUUID()}`, [{ ...shared }]);
    duplicate.catch(() => undefined);
    await sleep(100);
    // Writers of other ids are not held up while B waits for A.
    await withDeadline(other.appendToStream(`dup-c-${randomUUID()}`, [newEvent()]), 5_000, 'an unrelated append stalled');

    await writerA.query('COMMIT');
    const error = await duplicate.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DuplicateEventIds);
  });

  it('gives every reader every event exactly once, in position order, under many concurrent writers', async () => {
    const started = performance.now();
    const head = await store.headPosition();
    const TARGET_EVENTS = 3_000;
    const WRITERS = 16;
    const TRANSACTIONAL_WRITERS = 4; // BEGIN; append_events; random delay; COMMIT (or ROLLBACK)
    const streams = Array.from({ length: 40 }, () => `concurrency-${randomUUID()}`);
    const committed = new Map<string, number>(); // event id -> position
    let budget = TARGET_EVENTS;
    let rolledBack = 0;
    let writersDone = false;

    async function adapterWriter(): Promise<void> {
      const writer = new PostgresEventStore(newPool(1));
      while (budget > 0) {
        const events = Array.from({ length: Math.min(budget, randomInt(1, 6)) }, () => newEvent());
        budget -= events.length;
        const result = await writer.appendToStream(streams[randomInt(streams.length)], events);
        for (const e of result.events) committed.set(e.id, e.globalPosition);
        if (randomInt(4) === 0) await sleep(randomInt(4));
      }
    }

    async function transactionalWriter(): Promise<void> {
      const client = await newClient();
      while (budget > 0) {
        const events = Array.from({ length: Math.min(budget, randomInt(1, 6)) }, () => newEvent());
        budget -= events.length;
        await client.query('BEGIN');
        const positions = await rawAppend(client, streams[randomInt(streams.length)], events);
        await sleep(randomInt(15)); // commits late, after writers of higher positions
        if (randomInt(12) === 0) {
          await client.query('ROLLBACK');
          rolledBack += events.length;
        } else {
          await client.query('COMMIT');
          events.forEach((e, i) => committed.set(e.id, positions[i]));
        }
      }
    }

    // Readers on pools of their own.
    const readAllSeen: { id: string; position: number }[] = [];
    let readAllCalls = 0;
    async function pagingReader(): Promise<void> {
      const reader = new PostgresEventStore(newPool(1));
      let after = head;
      for (;;) {
        const done = writersDone; // taken before the read: a read after all commits drains the log
        const page = await reader.readAll({ after, limit: 50 });
        readAllCalls++;
        for (const event of page) {
          if (event.globalPosition <= after) throw new Error(`readAll went back from ${after} to ${event.globalPosition}`);
          after = event.globalPosition;
          readAllSeen.push({ id: event.id, position: event.globalPosition });
        }
        if (page.length === 0) {
          if (done) return;
          await sleep(1);
        }
      }
    }

    const subscriptionSeen: { id: string; position: number }[] = [];
    const controller = new AbortController();
    const subscriber = new PostgresEventStore(newPool(2), { pollIntervalMs: 100 });
    let subscriptionError: unknown;
    const subscription = (async () => {
      let last = head;
      for await (const batch of subscriber.subscribeToAll({ after: head, batchSize: 50, signal: controller.signal })) {
        for (const event of batch) {
          if (event.globalPosition <= last) throw new Error(`the subscription went back from ${last} to ${event.globalPosition}`);
          last = event.globalPosition;
          subscriptionSeen.push({ id: event.id, position: event.globalPosition });
        }
      }
    })();
    subscription.catch((error: unknown) => (subscriptionError = error));

    // For contrast, a reader without the transaction horizon: what it misses is what the store prevents.
    const naiveSeen = new Set<string>();
    const naivePool = newPool(1);
    async function naiveReader(): Promise<void> {
      let after = head;
      for (;;) {
        const done = writersDone;
        const { rows } = await naivePool.query<{ event_id: string; global_position: string }>(
          `SELECT event_id, global_position FROM event_store.events WHERE global_position > $1 ORDER BY global_position LIMIT 50`,
          [after],
        );
        for (const row of rows) {
          naiveSeen.add(row.event_id);
          after = Number(row.global_position);
        }
        if (rows.length === 0) {
          if (done) return;
          await sleep(1);
        }
      }
    }

    const readers = Promise.all([pagingReader(), naiveReader()]);
    const writing = performance.now();
    await Promise.all(
      Array.from({ length: WRITERS }, (_, i) => (i < TRANSACTIONAL_WRITERS ? transactionalWriter() : adapterWriter())),
    );
    const writeMs = performance.now() - writing;
    writersDone = true;
    await withDeadline(readers, 20_000, 'the readers did not drain the log');
    await withDeadline(
      eventually(async () => {
        if (subscriptionError) throw subscriptionError;
        return subscriptionSeen.length >= committed.size ? true : undefined;
      }, 15_000),
      20_000,
      'the subscription did not catch up',
    );
    controller.abort();
    await withDeadline(subscription, 5_000, 'the subscription did not end after abort');

    const expected = [...committed].map(([id, position]) => ({ id, position })).sort((x, y) => x.position - y.position);
    expect(committed.size + rolledBack).toBe(TARGET_EVENTS);
    expect(readAllSeen).toEqual(expected);
    expect(subscriptionSeen).toEqual(expected);

    // Streams stayed consistent: revisions 0..n-1, in position order.
    let streamEvents = 0;
    for (const stream of streams) {
      const events = await store.readStream(stream);
      streamEvents += events.length;
      expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => i));
      for (let i = 1; i < events.length; i++) expect(events[i].globalPosition).toBeGreaterThan(events[i - 1].globalPosition);
    }
    expect(streamEvents).toBe(committed.size);

    const naiveMissed = expected.filter((e) => !naiveSeen.has(e.id)).length;
    const totalMs = performance.now() - started;
    console.log(
      `concurrency: ${committed.size} events committed (${rolledBack} rolled back) by ${WRITERS} writers in ` +
        `${writeMs.toFixed(0)} ms (${((committed.size / writeMs) * 1000).toFixed(0)} events/s); ` +
        `readAll: ${readAllCalls} pages; test total ${totalMs.toFixed(0)} ms; ` +
        `a reader without the xid horizon would have skipped ${naiveMissed} events`,
    );
  }, 60_000);
});

function newEvent(overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    id: randomUUID(),
    type: 'ConcurrencyTested',
    schemaVersion: 1,
    data: { at: Date.now() },
    metadata: { actor: 'int-test', correlationId: randomUUID(), causationId: null },
    ...overrides,
  };
}

/** append_events called directly, as in a caller's own transaction; the positions it took. */
async function rawAppend(client: pg.ClientBase, streamId: string, events: NewEvent[]): Promise<number[]> {
  const { rows } = await client.query<{ global_position: string }>(
    `SELECT * FROM event_store.append_events($1, 'any', $2::uuid[], $3::text[], $4::integer[], $5::jsonb[], $6::jsonb[], $7::timestamptz[], $8::text[])`,
    [
      streamId,
      events.map((e) => e.id),
      events.map((e) => e.type),
      events.map((e) => e.schemaVersion),
      events.map((e) => JSON.stringify(e.data)),
      events.map((e) => JSON.stringify(e.metadata)),
      events.map(() => null),
      events.map(eventContentHash),
    ],
  );
  return rows.map((r) => Number(r.global_position));
}

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(10);
  }
}

async function withDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

describe('PostgresEventStore group commit (concurrent appends of one store, one call per group)', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 10 });
    pool.on('error', () => undefined);
    await migrateEventStore(pool);
    // One call in flight: every append that arrives meanwhile waits for the next group.
    store = new PostgresEventStore(pool, { maxAppendCallsInFlight: 1 });
  });

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('answers each append of a group on its own: one stale revision fails, the others commit', async () => {
    const base = `group-${randomUUID()}`;
    await store.appendToStream(`${base}-old`, [newEvent(), newEvent()], { expectedRevision: 'no_stream' });
    const outcomes = await Promise.allSettled([
      store.appendToStream(`${base}-a`, [newEvent()], { expectedRevision: 'no_stream' }),
      store.appendToStream(`${base}-old`, [newEvent()], { expectedRevision: 0 }), // stale: the stream is at 1
      store.appendToStream(`${base}-b`, [newEvent(), newEvent()], { expectedRevision: 'no_stream' }),
      store.appendToStream(`${base}-c`, [newEvent()], { expectedRevision: 'stream_exists' }), // no such stream
      store.appendToStream(`${base}-d`, [newEvent()]),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    const stale = (outcomes[1] as PromiseRejectedResult).reason;
    expect(stale).toBeInstanceOf(WrongExpectedVersion);
    expect(stale).toMatchObject({ streamId: `${base}-old`, expected: 0, actual: 1 });
    expect((outcomes[3] as PromiseRejectedResult).reason).toMatchObject({ actual: 'no_stream' });
    const b = (outcomes[2] as PromiseFulfilledResult<Awaited<ReturnType<PostgresEventStore['appendToStream']>>>).value;
    expect(b.events.map((e) => e.revision)).toEqual([0, 1]);
    expect((await store.readStream(`${base}-old`)).map((e) => e.revision)).toEqual([0, 1]);
    expect(await store.readStream(`${base}-c`)).toEqual([]);
  });

  it('keeps appends to one stream in order across groups, and lets exactly one of racing first appends win', async () => {
    const stream = `race-${randomUUID()}`;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () => store.appendToStream(stream, [newEvent()], { expectedRevision: 'no_stream' })),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof WrongExpectedVersion)).toHaveLength(19);

    const ordered = `ordered-${randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => store.appendToStream(ordered, [newEvent({ data: { i } })])));
    expect(results.map((r) => r.nextExpectedRevision)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect((await store.readStream(ordered)).map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('answers a repeated append with the original events, also when both are queued at once', async () => {
    const stream = `repeat-${randomUUID()}`;
    const events = [newEvent(), newEvent()];
    const [first, second] = await Promise.all([
      store.appendToStream(stream, events, { expectedRevision: 'no_stream' }),
      store.appendToStream(stream, events, { expectedRevision: 'no_stream' }),
    ]);
    expect(second).toEqual(first);
    expect(await store.readStream(stream)).toHaveLength(2);
  });

  it('gives hundreds of concurrent appends unique, ordered positions and hash chains that verify', async () => {
    const head = await store.headPosition();
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => store.appendToStream(`many-${i}-${randomUUID()}`, [newEvent(), newEvent()], { expectedRevision: 'no_stream' })),
    );
    const positions = results.flatMap((r) => r.events.map((e) => e.globalPosition));
    expect(new Set(positions).size).toBe(600);
    const log = await store.readAll({ after: head, limit: 1000 });
    expect(log).toHaveLength(600);
    for (const r of results) {
      const [a, b] = r.events;
      expect([a.revision, b.revision]).toEqual([0, 1]);
      expect(b.globalPosition).toBeGreaterThan(a.globalPosition);
    }
    const report = await new EventLogVerifier(storeEventLogSource(store)).verify();
    expect(report.ok).toBe(true);
  });
});
