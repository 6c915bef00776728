import type pg from 'pg';
import { ADVISORY_LOCKS, runVersionedMigrations, type VersionedMigration } from '@tthc/platform';
import { eventContentHash, eventHash, GENESIS_HASH } from '../../tamper-evidence/hash-chain.js';

type Migration = VersionedMigration;

/** append_events as version 3 created it; version 4 replaces it with two changes (see there). */
const APPEND_EVENTS_V3 = `
      CREATE FUNCTION event_store.append_events(
        p_stream_id text, p_expected text, p_ids uuid[], p_types text[], p_versions integer[],
        p_data jsonb[], p_metadata jsonb[], p_recorded_at timestamptz[], p_content_hashes text[]
      ) RETURNS TABLE (event_id uuid, event_type text, stream_revision integer, global_position bigint)
      LANGUAGE plpgsql AS $fn$
      #variable_conflict use_column
      DECLARE
        v_count integer := coalesce(cardinality(p_ids), 0);
        v_current integer;
        v_prev_hash text;
        v_existing integer;
        v_first integer;
        v_now timestamptz;
        v_key integer;
        v_at timestamptz[];
        v_hashes text[];
        i integer;
      BEGIN
        IF v_count = 0 THEN
          RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'append_events needs at least one event';
        END IF;
        IF p_stream_id IS NULL OR p_expected IS NULL
           OR p_expected !~ '^(any|no_stream|stream_exists|[0-9]{1,10})$'
           OR coalesce(cardinality(p_types), -1) <> v_count OR coalesce(cardinality(p_versions), -1) <> v_count
           OR coalesce(cardinality(p_data), -1) <> v_count OR coalesce(cardinality(p_metadata), -1) <> v_count
           OR coalesce(cardinality(p_content_hashes), -1) <> v_count
           OR (p_recorded_at IS NOT NULL AND cardinality(p_recorded_at) <> v_count)
           OR array_position(p_ids, NULL) IS NOT NULL OR array_position(p_types, NULL) IS NOT NULL
           OR array_position(p_versions, NULL) IS NOT NULL OR array_position(p_data, NULL) IS NOT NULL
           OR array_position(p_metadata, NULL) IS NOT NULL
           OR EXISTS (SELECT 1 FROM unnest(p_content_hashes) AS h(v) WHERE h.v IS NULL OR h.v !~ '^[0-9a-f]{64}$') THEN
          RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'append_events: invalid arguments (NULL, mismatched lengths, bad expected revision or content hash)';
        END IF;
        IF (SELECT count(DISTINCT u.id) FROM unnest(p_ids) AS u(id)) <> v_count THEN
          RAISE EXCEPTION USING ERRCODE = 'ES002', MESSAGE = 'duplicate event ids';
        END IF;

        -- Appends to one stream are serialised until commit (see version 2), so the stream's last
        -- revision and hash read below stay its last until this transaction ends.
        PERFORM pg_advisory_xact_lock(74001, hashtext(p_stream_id));
        FOR v_key IN SELECT DISTINCT hashtext(u.id::text) FROM unnest(p_ids) AS u(id) ORDER BY 1 LOOP
          PERFORM pg_advisory_xact_lock(74003, v_key);
        END LOOP;

        SELECT count(*) INTO v_existing FROM event_store.events e WHERE e.event_id = ANY (p_ids);
        IF v_existing > 0 THEN
          SELECT e.stream_revision INTO v_first FROM event_store.events e
            WHERE e.event_id = p_ids[1] AND e.stream_id = p_stream_id;
          IF v_existing = v_count AND v_first IS NOT NULL AND NOT EXISTS (
               SELECT 1 FROM unnest(p_ids) WITH ORDINALITY AS n(id, ord)
               JOIN event_store.events e ON e.event_id = n.id
               WHERE e.stream_id <> p_stream_id OR e.stream_revision <> v_first + n.ord - 1) THEN
            RETURN QUERY SELECT e.event_id, e.event_type, e.stream_revision, e.global_position
              FROM event_store.events e WHERE e.event_id = ANY (p_ids) ORDER BY e.stream_revision;
            RETURN;
          END IF;
          RAISE EXCEPTION USING ERRCODE = 'ES002', MESSAGE = 'duplicate event ids';
        END IF;

        SELECT e.stream_revision, e.hash INTO v_current, v_prev_hash FROM event_store.events e
          WHERE e.stream_id = p_stream_id ORDER BY e.stream_revision DESC LIMIT 1;
        IF (p_expected = 'no_stream' AND v_current IS NOT NULL)
           OR (p_expected = 'stream_exists' AND v_current IS NULL)
           OR (p_expected NOT IN ('any', 'no_stream', 'stream_exists')
               AND v_current IS DISTINCT FROM p_expected::integer) THEN
          RAISE EXCEPTION USING ERRCODE = 'ES001', MESSAGE = coalesce(v_current::text, 'no_stream');
        END IF;

        -- The out-of-order commit problem (see versions 1 and 2).
        IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
          RAISE EXCEPTION USING ERRCODE = '55000',
            MESSAGE = 'append_events must be the first write of its transaction (one append per transaction)';
        END IF;
        BEGIN
          PERFORM pg_advisory_lock(74002, 0);
          v_now := date_trunc('milliseconds', clock_timestamp());
          v_prev_hash := coalesce(v_prev_hash, repeat('0', 64));
          FOR i IN 1 .. v_count LOOP
            v_at[i] := date_trunc('milliseconds', coalesce(p_recorded_at[i], v_now));
            -- eventHash of tamper-evidence/hash-chain.ts.
            v_prev_hash := encode(sha256(convert_to(
              v_prev_hash || '|' || p_stream_id || '|' || (coalesce(v_current, -1) + i)::text || '|'
                || floor(extract(epoch FROM v_at[i]) * 1000)::bigint::text || '|' || p_content_hashes[i],
              'UTF8')), 'hex');
            v_hashes[i] := v_prev_hash;
          END LOOP;
          RETURN QUERY
            INSERT INTO event_store.events AS e (global_position, stream_id, stream_revision, event_id, event_type,
                                                 schema_version, data, metadata, recorded_at, content_hash, hash)
            SELECT nextval('event_store.global_position_seq'), p_stream_id, coalesce(v_current, -1) + s.ord::integer,
                   s.id, s.type, s.version, s.data, s.metadata, s.recorded_at, s.content_hash, s.hash
            FROM (SELECT * FROM unnest(p_ids, p_types, p_versions, p_data, p_metadata, v_at, p_content_hashes, v_hashes)
                    WITH ORDINALITY AS u(id, type, version, data, metadata, recorded_at, content_hash, hash, ord)
                  ORDER BY u.ord) s
            RETURNING e.event_id, e.event_type, e.stream_revision, e.global_position;
          PERFORM pg_advisory_unlock(74002, 0);
        EXCEPTION WHEN OTHERS OR query_canceled THEN
          IF EXISTS (SELECT 1 FROM pg_locks l
                     WHERE l.locktype = 'advisory' AND l.pid = pg_backend_pid() AND l.granted
                       AND l.classid = 74002 AND l.objid = 0 AND l.objsubid = 2) THEN
            PERFORM pg_advisory_unlock(74002, 0);
          END IF;
          RAISE;
        END;
        PERFORM pg_notify('event_store_appended', p_stream_id);
      END;
      $fn$;
`;

/**
 * Versions 6 on: the global lock (74002) covers the transaction id, the positions and the record
 * time, and nothing else: no row is hashed or inserted under it. `count` is the number of positions
 * wanted; they land in v_pos[1..count], in increasing order, and the record time in v_now. Nothing
 * in the locked block can fail but a cancel, after which the handler releases the lock.
 */
const RESERVE_POSITIONS = (count: string) => `
        BEGIN
          PERFORM pg_advisory_lock(74002, 0);
          -- Assigns this transaction's id now, under the lock: position order = transaction-id order.
          PERFORM pg_current_xact_id();
          v_now := date_trunc('milliseconds', clock_timestamp());
          SELECT array_agg(nextval('event_store.global_position_seq') ORDER BY g.n) INTO v_pos
            FROM generate_series(1, ${count}) AS g(n);
          PERFORM pg_advisory_unlock(74002, 0);
        EXCEPTION WHEN OTHERS OR query_canceled THEN
          IF EXISTS (SELECT 1 FROM pg_locks l
                     WHERE l.locktype = 'advisory' AND l.pid = pg_backend_pid() AND l.granted
                       AND l.classid = 74002 AND l.objid = 0 AND l.objsubid = 2) THEN
            PERFORM pg_advisory_unlock(74002, 0);
          END IF;
          RAISE;
        END;`;

/** append_events as version 6 creates it: version 3's, with the global lock shortened (see there). */
const APPEND_EVENTS_V6 = `
      CREATE OR REPLACE FUNCTION event_store.append_events(
        p_stream_id text, p_expected text, p_ids uuid[], p_types text[], p_versions integer[],
        p_data jsonb[], p_metadata jsonb[], p_recorded_at timestamptz[], p_content_hashes text[]
      ) RETURNS TABLE (event_id uuid, event_type text, stream_revision integer, global_position bigint)
      LANGUAGE plpgsql AS $fn$
      #variable_conflict use_column
      DECLARE
        v_count integer := coalesce(cardinality(p_ids), 0);
        v_current integer;
        v_prev_hash text;
        v_existing integer;
        v_first integer;
        v_now timestamptz;
        v_pos bigint[];
        v_at timestamptz[];
        v_hashes text[];
        i integer;
      BEGIN
        IF v_count = 0 THEN
          RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'append_events needs at least one event';
        END IF;
        IF p_stream_id IS NULL OR p_expected IS NULL
           OR p_expected !~ '^(any|no_stream|stream_exists|[0-9]{1,10})$'
           OR coalesce(cardinality(p_types), -1) <> v_count OR coalesce(cardinality(p_versions), -1) <> v_count
           OR coalesce(cardinality(p_data), -1) <> v_count OR coalesce(cardinality(p_metadata), -1) <> v_count
           OR coalesce(cardinality(p_content_hashes), -1) <> v_count
           OR (p_recorded_at IS NOT NULL AND cardinality(p_recorded_at) <> v_count)
           OR array_position(p_ids, NULL) IS NOT NULL OR array_position(p_types, NULL) IS NOT NULL
           OR array_position(p_versions, NULL) IS NOT NULL OR array_position(p_data, NULL) IS NOT NULL
           OR array_position(p_metadata, NULL) IS NOT NULL
           OR EXISTS (SELECT 1 FROM unnest(p_content_hashes) AS h(v) WHERE h.v IS NULL OR h.v !~ '^[0-9a-f]{64}$') THEN
          RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'append_events: invalid arguments (NULL, mismatched lengths, bad expected revision or content hash)';
        END IF;
        IF v_count > 1 AND (SELECT count(DISTINCT u.id) FROM unnest(p_ids) AS u(id)) <> v_count THEN
          RAISE EXCEPTION USING ERRCODE = 'ES002', MESSAGE = 'duplicate event ids';
        END IF;

        -- The stream, then its event ids, in one global order of lock keys (see version 2).
        PERFORM pg_advisory_xact_lock(74001, hashtext(p_stream_id));
        PERFORM pg_advisory_xact_lock(74003, lk.key)
          FROM (SELECT DISTINCT hashtext(u.id::text) AS key FROM unnest(p_ids) AS u(id) ORDER BY 1) AS lk;

        SELECT count(*) INTO v_existing FROM event_store.events e WHERE e.event_id = ANY (p_ids);
        IF v_existing > 0 THEN
          SELECT e.stream_revision INTO v_first FROM event_store.events e
            WHERE e.event_id = p_ids[1] AND e.stream_id = p_stream_id;
          IF v_existing = v_count AND v_first IS NOT NULL AND NOT EXISTS (
               SELECT 1 FROM unnest(p_ids) WITH ORDINALITY AS n(id, ord)
               JOIN event_store.events e ON e.event_id = n.id
               WHERE e.stream_id <> p_stream_id OR e.stream_revision <> v_first + n.ord - 1) THEN
            RETURN QUERY SELECT e.event_id, e.event_type, e.stream_revision, e.global_position
              FROM event_store.events e WHERE e.event_id = ANY (p_ids) ORDER BY e.stream_revision;
            RETURN;
          END IF;
          RAISE EXCEPTION USING ERRCODE = 'ES002', MESSAGE = 'duplicate event ids';
        END IF;

        SELECT e.stream_revision, e.hash INTO v_current, v_prev_hash FROM event_store.events e
          WHERE e.stream_id = p_stream_id ORDER BY e.stream_revision DESC LIMIT 1;
        IF (p_expected = 'no_stream' AND v_current IS NOT NULL)
           OR (p_expected = 'stream_exists' AND v_current IS NULL)
           OR (p_expected NOT IN ('any', 'no_stream', 'stream_exists')
               AND v_current IS DISTINCT FROM p_expected::integer) THEN
          RAISE EXCEPTION USING ERRCODE = 'ES001', MESSAGE = coalesce(v_current::text, 'no_stream');
        END IF;

        -- The out-of-order commit problem (see versions 1 and 2).
        IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
          RAISE EXCEPTION USING ERRCODE = '55000',
            MESSAGE = 'append_events must be the first write of its transaction (one append per transaction)';
        END IF;
${RESERVE_POSITIONS('v_count')}

        v_prev_hash := coalesce(v_prev_hash, repeat('0', 64));
        v_current := coalesce(v_current, -1);
        FOR i IN 1 .. v_count LOOP
          v_at[i] := date_trunc('milliseconds', coalesce(p_recorded_at[i], v_now));
          -- eventHash of tamper-evidence/hash-chain.ts.
          v_prev_hash := encode(sha256(convert_to(
            v_prev_hash || '|' || p_stream_id || '|' || (v_current + i)::text || '|'
              || floor(extract(epoch FROM v_at[i]) * 1000)::bigint::text || '|' || p_content_hashes[i],
            'UTF8')), 'hex');
          v_hashes[i] := v_prev_hash;
        END LOOP;
        RETURN QUERY
          INSERT INTO event_store.events AS e (global_position, stream_id, stream_revision, event_id, event_type,
                                               schema_version, data, metadata, recorded_at, content_hash, hash)
          SELECT u.pos, p_stream_id, v_current + u.ord::integer, u.id, u.type, u.version, u.data, u.metadata,
                 u.recorded_at, u.content_hash, u.hash
          FROM unnest(v_pos, p_ids, p_types, p_versions, p_data, p_metadata, v_at, p_content_hashes, v_hashes)
                 WITH ORDINALITY AS u(pos, id, type, version, data, metadata, recorded_at, content_hash, hash, ord)
          RETURNING e.event_id, e.event_type, e.stream_revision, e.global_position;
      END;
      $fn$;
`;

/** append_events_many as version 6 creates it: version 5's, set-based reads, the global lock shortened. */
const APPEND_EVENTS_MANY_V6 = `
      CREATE OR REPLACE FUNCTION event_store.append_events_many(
        p_streams text[], p_expected text[], p_event_append integer[], p_ids uuid[], p_types text[],
        p_versions integer[], p_data jsonb[], p_metadata jsonb[], p_recorded_at timestamptz[], p_content_hashes text[]
      ) RETURNS TABLE (append_index integer, event_id uuid, event_type text, stream_revision integer,
                       global_position bigint, error_code text, error_detail text)
      LANGUAGE plpgsql AS $fn$
      #variable_conflict use_column
      DECLARE
        v_appends integer := coalesce(cardinality(p_streams), 0);
        v_count integer := coalesce(cardinality(p_ids), 0);
        v_from integer[];
        v_to integer[];
        v_keep boolean[];
        v_stored boolean[];
        v_heads integer[];
        v_head_hashes text[];
        v_current integer[];
        v_prev text[];
        v_rev integer[];
        v_at timestamptz[];
        v_hashes text[];
        v_gpos bigint[];
        v_pos bigint[];
        v_now timestamptz;
        v_c integer;
        v_existing integer;
        v_first integer;
        v_kept integer := 0;
        j integer := 0;
        k integer;
        i integer;
      BEGIN
        IF v_appends = 0 OR v_count = 0
           OR coalesce(cardinality(p_expected), -1) <> v_appends
           OR coalesce(cardinality(p_event_append), -1) <> v_count
           OR coalesce(cardinality(p_types), -1) <> v_count OR coalesce(cardinality(p_versions), -1) <> v_count
           OR coalesce(cardinality(p_data), -1) <> v_count OR coalesce(cardinality(p_metadata), -1) <> v_count
           OR coalesce(cardinality(p_recorded_at), -1) <> v_count OR coalesce(cardinality(p_content_hashes), -1) <> v_count
           OR array_position(p_streams, NULL) IS NOT NULL OR array_position(p_expected, NULL) IS NOT NULL
           OR array_position(p_event_append, NULL) IS NOT NULL OR array_position(p_ids, NULL) IS NOT NULL
           OR array_position(p_types, NULL) IS NOT NULL OR array_position(p_versions, NULL) IS NOT NULL
           OR array_position(p_data, NULL) IS NOT NULL OR array_position(p_metadata, NULL) IS NOT NULL
           OR EXISTS (SELECT 1 FROM unnest(p_expected) AS x(v) WHERE x.v !~ '^(any|no_stream|stream_exists|[0-9]{1,10})$')
           OR EXISTS (SELECT 1 FROM unnest(p_content_hashes) AS h(v) WHERE h.v IS NULL OR h.v !~ '^[0-9a-f]{64}$')
           OR (SELECT count(DISTINCT s.v) FROM unnest(p_streams) AS s(v)) <> v_appends
           OR (SELECT count(DISTINCT u.v) FROM unnest(p_ids) AS u(v)) <> v_count THEN
          RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'append_events_many: invalid arguments';
        END IF;
        -- Events come grouped by append, appends numbered 1..n in order.
        FOR i IN 1 .. v_count LOOP
          k := p_event_append[i];
          IF k < 1 OR k > v_appends OR (i > 1 AND k < p_event_append[i - 1]) THEN
            RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'append_events_many: events not grouped by append';
          END IF;
          IF v_from[k] IS NULL THEN v_from[k] := i; END IF;
          v_to[k] := i;
        END LOOP;
        IF EXISTS (SELECT 1 FROM generate_series(1, v_appends) AS g(n) WHERE v_from[g.n] IS NULL) THEN
          RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'append_events_many: an append without events';
        END IF;

        -- Stream keys sorted, then event-id keys sorted (the order append_events also respects).
        PERFORM pg_advisory_xact_lock(74001, lk.key)
          FROM (SELECT DISTINCT hashtext(s.v) AS key FROM unnest(p_streams) AS s(v) ORDER BY 1) AS lk;
        PERFORM pg_advisory_xact_lock(74003, lk.key)
          FROM (SELECT DISTINCT hashtext(u.v::text) AS key FROM unnest(p_ids) AS u(v) ORDER BY 1) AS lk;

        -- Which appends hold an id already stored, and every stream's head: one query each.
        v_stored := array_fill(false, ARRAY[v_appends]);
        FOR k IN SELECT DISTINCT p_event_append[n.ord] FROM unnest(p_ids) WITH ORDINALITY AS n(id, ord)
                   JOIN event_store.events e ON e.event_id = n.id LOOP
          v_stored[k] := true;
        END LOOP;
        SELECT array_agg(h.stream_revision ORDER BY s.k), array_agg(h.hash ORDER BY s.k) INTO v_heads, v_head_hashes
          FROM unnest(p_streams) WITH ORDINALITY AS s(id, k)
          LEFT JOIN LATERAL (SELECT e.stream_revision, e.hash FROM event_store.events e
                              WHERE e.stream_id = s.id ORDER BY e.stream_revision DESC LIMIT 1) AS h ON true;

        FOR k IN 1 .. v_appends LOOP
          v_keep[k] := false;
          IF v_stored[k] THEN
            -- A repeat of an earlier append is answered with the original events (as append_events).
            SELECT count(*) INTO v_existing FROM event_store.events e WHERE e.event_id = ANY (p_ids[v_from[k]:v_to[k]]);
            SELECT e.stream_revision INTO v_first FROM event_store.events e
              WHERE e.event_id = p_ids[v_from[k]] AND e.stream_id = p_streams[k];
            IF v_existing = v_to[k] - v_from[k] + 1 AND v_first IS NOT NULL AND NOT EXISTS (
                 SELECT 1 FROM unnest(p_ids[v_from[k]:v_to[k]]) WITH ORDINALITY AS n(id, ord)
                 JOIN event_store.events e ON e.event_id = n.id
                 WHERE e.stream_id <> p_streams[k] OR e.stream_revision <> v_first + n.ord - 1) THEN
              RETURN QUERY SELECT k, e.event_id, e.event_type, e.stream_revision, e.global_position, NULL::text, NULL::text
                FROM event_store.events e WHERE e.event_id = ANY (p_ids[v_from[k]:v_to[k]]) ORDER BY e.stream_revision;
            ELSE
              RETURN QUERY SELECT k, NULL::uuid, NULL::text, NULL::integer, NULL::bigint, 'ES002'::text, 'duplicate event ids'::text;
            END IF;
            CONTINUE;
          END IF;
          v_c := v_heads[k];
          IF (p_expected[k] = 'no_stream' AND v_c IS NOT NULL)
             OR (p_expected[k] = 'stream_exists' AND v_c IS NULL)
             OR (p_expected[k] NOT IN ('any', 'no_stream', 'stream_exists') AND v_c IS DISTINCT FROM p_expected[k]::integer) THEN
            RETURN QUERY SELECT k, NULL::uuid, NULL::text, NULL::integer, NULL::bigint, 'ES001'::text, coalesce(v_c::text, 'no_stream');
            CONTINUE;
          END IF;
          v_keep[k] := true;
          v_current[k] := coalesce(v_c, -1);
          v_prev[k] := coalesce(v_head_hashes[k], repeat('0', 64));
          v_kept := v_kept + v_to[k] - v_from[k] + 1;
        END LOOP;
        IF v_kept = 0 THEN
          RETURN;
        END IF;

        -- The out-of-order commit problem (see append_events, versions 1 and 2).
        IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
          RAISE EXCEPTION USING ERRCODE = '55000',
            MESSAGE = 'append_events_many must be the first write of its transaction';
        END IF;
${RESERVE_POSITIONS('v_kept')}

        FOR i IN 1 .. v_count LOOP
          k := p_event_append[i];
          IF v_keep[k] THEN
            j := j + 1;
            v_gpos[i] := v_pos[j];
            v_rev[i] := v_current[k] + (i - v_from[k] + 1);
            v_at[i] := date_trunc('milliseconds', coalesce(p_recorded_at[i], v_now));
            -- eventHash of tamper-evidence/hash-chain.ts, as in append_events.
            v_prev[k] := encode(sha256(convert_to(
              v_prev[k] || '|' || p_streams[k] || '|' || v_rev[i]::text || '|'
                || floor(extract(epoch FROM v_at[i]) * 1000)::bigint::text || '|' || p_content_hashes[i],
              'UTF8')), 'hex');
            v_hashes[i] := v_prev[k];
          END IF;
        END LOOP;
        RETURN QUERY
          WITH inserted AS (
            INSERT INTO event_store.events AS e (global_position, stream_id, stream_revision, event_id, event_type,
                                                 schema_version, data, metadata, recorded_at, content_hash, hash)
            SELECT u.pos, p_streams[u.k], u.rev, u.id, u.type, u.version, u.data, u.metadata, u.recorded_at,
                   u.content_hash, u.hash
            FROM unnest(p_event_append, v_gpos, p_ids, p_types, p_versions, p_data, p_metadata, v_at,
                        p_content_hashes, v_hashes, v_rev)
                   AS u(k, pos, id, type, version, data, metadata, recorded_at, content_hash, hash, rev)
            WHERE v_keep[u.k]
            RETURNING e.event_id, e.event_type, e.stream_revision, e.global_position, e.stream_id
          )
          SELECT s.k::integer, inserted.event_id, inserted.event_type, inserted.stream_revision,
                 inserted.global_position, NULL::text, NULL::text
          FROM inserted JOIN unnest(p_streams) WITH ORDINALITY AS s(id, k) ON s.id = inserted.stream_id
          ORDER BY inserted.global_position;
      END;
      $fn$;
`;

/**
 * Version 7 on: "64 lowercase hex digits" tested as a length and a search for any other character.
 * PostgreSQL's regex engine runs the bounded repeat of '^[0-9a-f]{64}$' at about 20 µs a value on the
 * machine of BENCHMARKS.md, against 2 µs for this form; the two accept exactly the same texts (only
 * single-byte characters pass the second test, so 64 bytes are 64 characters).
 */
const HEX_64 = (column: string) => `(octet_length(${column}) = 64 AND ${column} !~ '[^0-9a-f]')`;

/** Replaces `from` in `text`, failing loudly when it is not there (a derived function must differ). */
function replaced(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`event store schema: ${from} not found`);
  return text.split(from).join(to);
}

const CONTENT_HASHES_CHECK_V6 = `h.v IS NULL OR h.v !~ '^[0-9a-f]{64}$'`;
const CONTENT_HASHES_CHECK_V7 = `h.v IS NULL OR NOT ${HEX_64('h.v')}`;

/**
 * The event store's own schema, versioned. Each step runs once, in order, inside a transaction
 * holding an advisory lock, so that several processes may migrate at start-up at the same time.
 */
const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'events table, global position sequence and the append function',
    sql: `
      CREATE SCHEMA IF NOT EXISTS event_store;
      CREATE SEQUENCE event_store.global_position_seq;
      CREATE TABLE event_store.events (
        global_position bigint      PRIMARY KEY,
        -- The appending transaction's id: readers only see rows of transactions older than every
        -- transaction still running (see append_events and the reader in postgres-event-store.ts).
        transaction_id  xid8        NOT NULL DEFAULT pg_current_xact_id(),
        stream_id       text        NOT NULL,
        stream_revision integer     NOT NULL,
        event_id        uuid        NOT NULL UNIQUE,
        event_type      text        NOT NULL,
        schema_version  integer     NOT NULL,
        data            jsonb       NOT NULL,
        metadata        jsonb       NOT NULL,
        recorded_at     timestamptz NOT NULL,
        UNIQUE (stream_id, stream_revision)
      );

      -- One round trip per append. Codes: ES001 wrong expected version, ES002 duplicate event ids.
      CREATE FUNCTION event_store.append_events(
        p_stream_id text, p_expected text, p_ids uuid[], p_types text[], p_versions integer[],
        p_data jsonb[], p_metadata jsonb[], p_recorded_at timestamptz[]
      ) RETURNS TABLE (event_id uuid, event_type text, stream_revision integer, global_position bigint)
      LANGUAGE plpgsql AS $fn$
      #variable_conflict use_column
      DECLARE
        v_current integer;
        v_existing integer;
        v_first integer;
        v_now timestamptz;
      BEGIN
        -- Appends to one stream are serialised until commit, so the expected-revision check below
        -- sees every earlier append to it. Advisory locks assign no transaction id.
        PERFORM pg_advisory_xact_lock(74001, hashtext(p_stream_id));

        SELECT count(*) INTO v_existing FROM event_store.events e WHERE e.event_id = ANY (p_ids);
        IF v_existing > 0 THEN
          -- A repeat of an earlier append (same ids, same stream, same order) is answered with the
          -- original events; anything else is a conflict.
          SELECT e.stream_revision INTO v_first FROM event_store.events e
            WHERE e.event_id = p_ids[1] AND e.stream_id = p_stream_id;
          IF v_existing = cardinality(p_ids) AND v_first IS NOT NULL AND NOT EXISTS (
               SELECT 1 FROM unnest(p_ids) WITH ORDINALITY AS n(id, ord)
               JOIN event_store.events e ON e.event_id = n.id
               WHERE e.stream_id <> p_stream_id OR e.stream_revision <> v_first + n.ord - 1) THEN
            RETURN QUERY SELECT e.event_id, e.event_type, e.stream_revision, e.global_position
              FROM event_store.events e WHERE e.event_id = ANY (p_ids) ORDER BY e.stream_revision;
            RETURN;
          END IF;
          RAISE EXCEPTION USING ERRCODE = 'ES002', MESSAGE = 'duplicate event ids';
        END IF;

        SELECT max(e.stream_revision) INTO v_current FROM event_store.events e WHERE e.stream_id = p_stream_id;
        IF (p_expected = 'no_stream' AND v_current IS NOT NULL)
           OR (p_expected = 'stream_exists' AND v_current IS NULL)
           OR (p_expected NOT IN ('any', 'no_stream', 'stream_exists')
               AND v_current IS DISTINCT FROM p_expected::integer) THEN
          RAISE EXCEPTION USING ERRCODE = 'ES001', MESSAGE = coalesce(v_current::text, 'no_stream');
        END IF;

        -- The out-of-order commit problem: positions come from a sequence, but transactions commit
        -- in any order, so a reader could see position 11 commit before 10 and skip 10 for ever.
        -- Positions and the transaction id are therefore taken together under one short global lock
        -- (released before commit, so commits still run in parallel and share WAL flushes): position
        -- order equals transaction-id order, and a reader that only reads rows of transactions below
        -- the oldest running one (pg_snapshot_xmin) can never later find a lower position appear.
        PERFORM pg_advisory_lock(74002, 0);
        -- Millisecond precision, so that the instant survives a round trip through JS Date; taken
        -- under the lock, so that record time never decreases along the log.
        v_now := date_trunc('milliseconds', clock_timestamp());
        RETURN QUERY
          INSERT INTO event_store.events AS e (global_position, stream_id, stream_revision, event_id,
                                               event_type, schema_version, data, metadata, recorded_at)
          SELECT nextval('event_store.global_position_seq'), p_stream_id, coalesce(v_current, -1) + s.ord::integer,
                 s.id, s.type, s.version, s.data, s.metadata, coalesce(s.recorded_at, v_now)
          FROM (SELECT * FROM unnest(p_ids, p_types, p_versions, p_data, p_metadata, p_recorded_at)
                  WITH ORDINALITY AS u(id, type, version, data, metadata, recorded_at, ord)
                ORDER BY u.ord) s
          RETURNING e.event_id, e.event_type, e.stream_revision, e.global_position;
        PERFORM pg_advisory_unlock(74002, 0);
        PERFORM pg_notify('event_store_appended', p_stream_id);
      END;
      $fn$;
    `,
  },
  {
    version: 2,
    description: 'append_events: validate first, lock event ids, release the global lock on error, refuse a transaction that already wrote',
    sql: `
      -- Same signature and results as version 1. What changed, and why:
      -- * Arguments are checked before any lock (a NULL or a repeated id used to fail the INSERT while
      --   holding the global lock).
      -- * Each event id is locked (transaction-level) before the duplicate check, so that two writers
      --   of the same new id to different streams are serialised there: the second gets ES002 once
      --   the first commits, instead of waiting for it on the unique index while holding the global
      --   lock (stalling every writer) and then failing with a unique violation.
      -- * The global lock is session-level: an error between taking and releasing it (a trigger, a
      --   statement_timeout, a cancel) used to leave it held by the connection for good when the
      --   caller rolled back and kept the connection, blocking every later append. It is now released
      --   by an exception handler.
      -- * Position order equals transaction-id order only if the transaction id is assigned under the
      --   global lock, that is if the transaction has not written anything before (a second append in
      --   the same transaction included): such a caller is refused (55000), as it could make readers
      --   skip events for good.
      CREATE OR REPLACE FUNCTION event_store.append_events(
        p_stream_id text, p_expected text, p_ids uuid[], p_types text[], p_versions integer[],
        p_data jsonb[], p_metadata jsonb[], p_recorded_at timestamptz[]
      ) RETURNS TABLE (event_id uuid, event_type text, stream_revision integer, global_position bigint)
      LANGUAGE plpgsql AS $fn$
      #variable_conflict use_column
      DECLARE
        v_count integer := coalesce(cardinality(p_ids), 0);
        v_current integer;
        v_existing integer;
        v_first integer;
        v_now timestamptz;
        v_key integer;
      BEGIN
        IF v_count = 0 THEN
          RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'append_events needs at least one event';
        END IF;
        IF p_stream_id IS NULL OR p_expected IS NULL
           OR p_expected !~ '^(any|no_stream|stream_exists|[0-9]{1,10})$'
           OR coalesce(cardinality(p_types), -1) <> v_count OR coalesce(cardinality(p_versions), -1) <> v_count
           OR coalesce(cardinality(p_data), -1) <> v_count OR coalesce(cardinality(p_metadata), -1) <> v_count
           OR (p_recorded_at IS NOT NULL AND cardinality(p_recorded_at) <> v_count)
           OR array_position(p_ids, NULL) IS NOT NULL OR array_position(p_types, NULL) IS NOT NULL
           OR array_position(p_versions, NULL) IS NOT NULL OR array_position(p_data, NULL) IS NOT NULL
           OR array_position(p_metadata, NULL) IS NOT NULL THEN
          RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'append_events: invalid arguments (NULL, mismatched lengths or bad expected revision)';
        END IF;
        IF (SELECT count(DISTINCT u.id) FROM unnest(p_ids) AS u(id)) <> v_count THEN
          RAISE EXCEPTION USING ERRCODE = 'ES002', MESSAGE = 'duplicate event ids';
        END IF;

        -- Appends to one stream are serialised until commit, so the expected-revision check below
        -- sees every earlier append to it; so are appends of the same event id (in a global order
        -- of lock keys, hence without deadlocks). Advisory locks assign no transaction id.
        PERFORM pg_advisory_xact_lock(74001, hashtext(p_stream_id));
        FOR v_key IN SELECT DISTINCT hashtext(u.id::text) FROM unnest(p_ids) AS u(id) ORDER BY 1 LOOP
          PERFORM pg_advisory_xact_lock(74003, v_key);
        END LOOP;

        SELECT count(*) INTO v_existing FROM event_store.events e WHERE e.event_id = ANY (p_ids);
        IF v_existing > 0 THEN
          -- A repeat of an earlier append (same ids, same stream, same order) is answered with the
          -- original events; anything else is a conflict.
          SELECT e.stream_revision INTO v_first FROM event_store.events e
            WHERE e.event_id = p_ids[1] AND e.stream_id = p_stream_id;
          IF v_existing = v_count AND v_first IS NOT NULL AND NOT EXISTS (
               SELECT 1 FROM unnest(p_ids) WITH ORDINALITY AS n(id, ord)
               JOIN event_store.events e ON e.event_id = n.id
               WHERE e.stream_id <> p_stream_id OR e.stream_revision <> v_first + n.ord - 1) THEN
            RETURN QUERY SELECT e.event_id, e.event_type, e.stream_revision, e.global_position
              FROM event_store.events e WHERE e.event_id = ANY (p_ids) ORDER BY e.stream_revision;
            RETURN;
          END IF;
          RAISE EXCEPTION USING ERRCODE = 'ES002', MESSAGE = 'duplicate event ids';
        END IF;

        SELECT max(e.stream_revision) INTO v_current FROM event_store.events e WHERE e.stream_id = p_stream_id;
        IF (p_expected = 'no_stream' AND v_current IS NOT NULL)
           OR (p_expected = 'stream_exists' AND v_current IS NULL)
           OR (p_expected NOT IN ('any', 'no_stream', 'stream_exists')
               AND v_current IS DISTINCT FROM p_expected::integer) THEN
          RAISE EXCEPTION USING ERRCODE = 'ES001', MESSAGE = coalesce(v_current::text, 'no_stream');
        END IF;

        -- The out-of-order commit problem (see version 1): positions and the transaction id are
        -- taken together under one short global lock, released before commit. The
        -- transaction id must not have been assigned before (see above).
        IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
          RAISE EXCEPTION USING ERRCODE = '55000',
            MESSAGE = 'append_events must be the first write of its transaction (one append per transaction)';
        END IF;
        BEGIN
          PERFORM pg_advisory_lock(74002, 0);
          -- Millisecond precision, so that the instant survives a round trip through JS Date; taken
          -- under the lock, so that record time never decreases along the log.
          v_now := date_trunc('milliseconds', clock_timestamp());
          RETURN QUERY
            INSERT INTO event_store.events AS e (global_position, stream_id, stream_revision, event_id,
                                                 event_type, schema_version, data, metadata, recorded_at)
            SELECT nextval('event_store.global_position_seq'), p_stream_id, coalesce(v_current, -1) + s.ord::integer,
                   s.id, s.type, s.version, s.data, s.metadata, coalesce(s.recorded_at, v_now)
            FROM (SELECT * FROM unnest(p_ids, p_types, p_versions, p_data, p_metadata,
                                       coalesce(p_recorded_at, array_fill(NULL::timestamptz, ARRAY[v_count])))
                    WITH ORDINALITY AS u(id, type, version, data, metadata, recorded_at, ord)
                  ORDER BY u.ord) s
            RETURNING e.event_id, e.event_type, e.stream_revision, e.global_position;
          PERFORM pg_advisory_unlock(74002, 0);
        EXCEPTION WHEN OTHERS OR query_canceled THEN
          -- Also when the error came before or while taking the lock: unlock only if it is held.
          IF EXISTS (SELECT 1 FROM pg_locks l
                     WHERE l.locktype = 'advisory' AND l.pid = pg_backend_pid() AND l.granted
                       AND l.classid = 74002 AND l.objid = 0 AND l.objsubid = 2) THEN
            PERFORM pg_advisory_unlock(74002, 0);
          END IF;
          RAISE;
        END;
        PERFORM pg_notify('event_store_appended', p_stream_id);
      END;
      $fn$;
    `,
  },
  {
    version: 3,
    description: 'tamper evidence: per-stream hash chain computed by append_events, log digest checkpoints',
    sql: `
      -- Each event's hash is chained over its stream's previous event (tamper-evidence/hash-chain.ts):
      --   content_hash = sha256(canonical JSON of id, type, schemaVersion, data, metadata), computed by
      --                  the adapter in TypeScript, because jsonb keeps no canonical text of its own;
      --   hash         = sha256(prev hash | stream_id | revision | recorded_at in epoch ms | content_hash),
      --                  computed here, where the revision and the record time are assigned.
      -- Rows older than this version are given both by the migration itself (see backfillHashes).
      ALTER TABLE event_store.events ADD COLUMN content_hash text, ADD COLUMN hash text;

      -- Checkpoints of the running digest of the global log, digest_n = sha256(digest_{n-1} || hash_n)
      -- in position order. Kept lazily by advanceLogDigest (postgres-event-log.ts) rather than by
      -- append_events: one row updated by every append would be locked until each commit and so
      -- serialise all of them. \`events\` counts the events digested up to \`position\`.
      CREATE TABLE event_store.log_digests (
        position    bigint      PRIMARY KEY,
        digest      text        NOT NULL CHECK (digest ~ '^[0-9a-f]{64}$'),
        events      bigint      NOT NULL,
        computed_at timestamptz NOT NULL DEFAULT now()
      );

      -- A new argument, p_content_hashes, so a new signature: the old function is dropped, and a
      -- process of an earlier version can no longer append (it could not give content hashes).
      DROP FUNCTION event_store.append_events(text, text, uuid[], text[], integer[], jsonb[], jsonb[], timestamptz[]);

      -- Every property of version 2 is kept: arguments checked before any lock, per-stream and per-id
      -- locks, the global lock held only around the record time, the hashes, the transaction id and
      -- the positions, and released by an exception handler; a transaction that already wrote is
      -- refused. New: the content hashes are checked with the other arguments; an explicit
      -- recorded_at is truncated to milliseconds like the store's own (the hash covers whole
      -- milliseconds, and JavaScript reads no finer); each event's hash is computed under the global
      -- lock, because it covers the record time taken there (a few microseconds per event).
${APPEND_EVENTS_V3}    `,
    async then(client, log) {
      const events = await backfillHashes(client, log);
      await client.query(`
        ALTER TABLE event_store.events
          ALTER COLUMN content_hash SET NOT NULL,
          ALTER COLUMN hash SET NOT NULL,
          ADD CONSTRAINT events_content_hash_hex CHECK (content_hash ~ '^[0-9a-f]{64}$'),
          ADD CONSTRAINT events_hash_hex CHECK (hash ~ '^[0-9a-f]{64}$')`);
      if (events > 0) log(`event store schema: hashed ${events} existing events`);
    },
  },
  {
    version: 4,
    description: 'append_events without NOTIFY, so that concurrent commits share WAL flushes',
    // Measured (bench/append.bench.ts): NOTIFY makes PostgreSQL take one database-wide lock from
    // pre-commit to the end of commit, so every appending transaction waited for the previous one's
    // WAL flush: 305 events/s at concurrency 16 with it, 1,226 without, on this machine. Subscribers
    // are now woken by the adapter itself (postgres-event-store.ts: in process at once, across
    // processes by a NOTIFY sent outside the appending transaction).
    sql: APPEND_EVENTS_V3.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION').replace(
      "PERFORM pg_notify('event_store_appended', p_stream_id);",
      '-- No NOTIFY here (schema version 4).',
    ),
  },
  {
    version: 5,
    description: 'append_events_many: several appends to distinct streams in one call and one commit',
    // Group commit (postgres-event-store.ts batches concurrent appendToStream calls): the per-call
    // and per-commit costs are paid once for the group. Each append is checked exactly as by
    // append_events and succeeds or fails on its own; a failed one is reported, not raised, so that
    // the others still commit. The caller guarantees that the appends of one call touch distinct
    // streams and distinct event ids (the checks below cannot see each other's pending rows); the
    // function refuses a call that breaks this. Locks are taken in one global order (stream keys
    // sorted, then event-id keys sorted), the order append_events' single stream lock also respects.
    sql: `
      CREATE FUNCTION event_store.append_events_many(
        p_streams text[], p_expected text[], p_event_append integer[], p_ids uuid[], p_types text[],
        p_versions integer[], p_data jsonb[], p_metadata jsonb[], p_recorded_at timestamptz[], p_content_hashes text[]
      ) RETURNS TABLE (append_index integer, event_id uuid, event_type text, stream_revision integer,
                       global_position bigint, error_code text, error_detail text)
      LANGUAGE plpgsql AS $fn$
      #variable_conflict use_column
      DECLARE
        v_appends integer := coalesce(cardinality(p_streams), 0);
        v_count integer := coalesce(cardinality(p_ids), 0);
        v_from integer[];
        v_to integer[];
        v_keep boolean[];
        v_current integer[];
        v_prev text[];
        v_rev integer[];
        v_at timestamptz[];
        v_hashes text[];
        v_now timestamptz;
        v_key integer;
        v_c integer;
        v_h text;
        v_existing integer;
        v_first integer;
        v_any boolean := false;
        k integer;
        i integer;
      BEGIN
        IF v_appends = 0 OR v_count = 0
           OR coalesce(cardinality(p_expected), -1) <> v_appends
           OR coalesce(cardinality(p_event_append), -1) <> v_count
           OR coalesce(cardinality(p_types), -1) <> v_count OR coalesce(cardinality(p_versions), -1) <> v_count
           OR coalesce(cardinality(p_data), -1) <> v_count OR coalesce(cardinality(p_metadata), -1) <> v_count
           OR coalesce(cardinality(p_recorded_at), -1) <> v_count OR coalesce(cardinality(p_content_hashes), -1) <> v_count
           OR array_position(p_streams, NULL) IS NOT NULL OR array_position(p_expected, NULL) IS NOT NULL
           OR array_position(p_event_append, NULL) IS NOT NULL OR array_position(p_ids, NULL) IS NOT NULL
           OR array_position(p_types, NULL) IS NOT NULL OR array_position(p_versions, NULL) IS NOT NULL
           OR array_position(p_data, NULL) IS NOT NULL OR array_position(p_metadata, NULL) IS NOT NULL
           OR EXISTS (SELECT 1 FROM unnest(p_expected) AS x(v) WHERE x.v !~ '^(any|no_stream|stream_exists|[0-9]{1,10})$')
           OR EXISTS (SELECT 1 FROM unnest(p_content_hashes) AS h(v) WHERE h.v IS NULL OR h.v !~ '^[0-9a-f]{64}$')
           OR (SELECT count(DISTINCT s.v) FROM unnest(p_streams) AS s(v)) <> v_appends
           OR (SELECT count(DISTINCT u.v) FROM unnest(p_ids) AS u(v)) <> v_count THEN
          RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'append_events_many: invalid arguments';
        END IF;
        -- Events come grouped by append, appends numbered 1..n in order.
        FOR i IN 1 .. v_count LOOP
          k := p_event_append[i];
          IF k < 1 OR k > v_appends OR (i > 1 AND k < p_event_append[i - 1]) THEN
            RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'append_events_many: events not grouped by append';
          END IF;
          IF v_from[k] IS NULL THEN v_from[k] := i; END IF;
          v_to[k] := i;
        END LOOP;
        IF EXISTS (SELECT 1 FROM generate_series(1, v_appends) AS g(n) WHERE v_from[g.n] IS NULL) THEN
          RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'append_events_many: an append without events';
        END IF;

        FOR v_key IN SELECT DISTINCT hashtext(s.v) FROM unnest(p_streams) AS s(v) ORDER BY 1 LOOP
          PERFORM pg_advisory_xact_lock(74001, v_key);
        END LOOP;
        FOR v_key IN SELECT DISTINCT hashtext(u.v::text) FROM unnest(p_ids) AS u(v) ORDER BY 1 LOOP
          PERFORM pg_advisory_xact_lock(74003, v_key);
        END LOOP;

        FOR k IN 1 .. v_appends LOOP
          v_keep[k] := false;
          SELECT count(*) INTO v_existing FROM event_store.events e WHERE e.event_id = ANY (p_ids[v_from[k]:v_to[k]]);
          IF v_existing > 0 THEN
            -- A repeat of an earlier append is answered with the original events (as append_events).
            SELECT e.stream_revision INTO v_first FROM event_store.events e
              WHERE e.event_id = p_ids[v_from[k]] AND e.stream_id = p_streams[k];
            IF v_existing = v_to[k] - v_from[k] + 1 AND v_first IS NOT NULL AND NOT EXISTS (
                 SELECT 1 FROM unnest(p_ids[v_from[k]:v_to[k]]) WITH ORDINALITY AS n(id, ord)
                 JOIN event_store.events e ON e.event_id = n.id
                 WHERE e.stream_id <> p_streams[k] OR e.stream_revision <> v_first + n.ord - 1) THEN
              RETURN QUERY SELECT k, e.event_id, e.event_type, e.stream_revision, e.global_position, NULL::text, NULL::text
                FROM event_store.events e WHERE e.event_id = ANY (p_ids[v_from[k]:v_to[k]]) ORDER BY e.stream_revision;
            ELSE
              RETURN QUERY SELECT k, NULL::uuid, NULL::text, NULL::integer, NULL::bigint, 'ES002'::text, 'duplicate event ids'::text;
            END IF;
            CONTINUE;
          END IF;
          v_c := NULL;
          v_h := NULL;
          SELECT e.stream_revision, e.hash INTO v_c, v_h FROM event_store.events e
            WHERE e.stream_id = p_streams[k] ORDER BY e.stream_revision DESC LIMIT 1;
          IF (p_expected[k] = 'no_stream' AND v_c IS NOT NULL)
             OR (p_expected[k] = 'stream_exists' AND v_c IS NULL)
             OR (p_expected[k] NOT IN ('any', 'no_stream', 'stream_exists') AND v_c IS DISTINCT FROM p_expected[k]::integer) THEN
            RETURN QUERY SELECT k, NULL::uuid, NULL::text, NULL::integer, NULL::bigint, 'ES001'::text, coalesce(v_c::text, 'no_stream');
            CONTINUE;
          END IF;
          v_keep[k] := true;
          v_current[k] := coalesce(v_c, -1);
          v_prev[k] := coalesce(v_h, repeat('0', 64));
          v_any := true;
        END LOOP;
        IF NOT v_any THEN
          RETURN;
        END IF;

        -- The out-of-order commit problem (see append_events, versions 1 and 2).
        IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
          RAISE EXCEPTION USING ERRCODE = '55000',
            MESSAGE = 'append_events_many must be the first write of its transaction';
        END IF;
        BEGIN
          PERFORM pg_advisory_lock(74002, 0);
          v_now := date_trunc('milliseconds', clock_timestamp());
          FOR i IN 1 .. v_count LOOP
            k := p_event_append[i];
            IF v_keep[k] THEN
              v_rev[i] := v_current[k] + (i - v_from[k] + 1);
              v_at[i] := date_trunc('milliseconds', coalesce(p_recorded_at[i], v_now));
              -- eventHash of tamper-evidence/hash-chain.ts, as in append_events.
              v_prev[k] := encode(sha256(convert_to(
                v_prev[k] || '|' || p_streams[k] || '|' || v_rev[i]::text || '|'
                  || floor(extract(epoch FROM v_at[i]) * 1000)::bigint::text || '|' || p_content_hashes[i],
                'UTF8')), 'hex');
              v_hashes[i] := v_prev[k];
            END IF;
          END LOOP;
          RETURN QUERY
            WITH inserted AS (
              INSERT INTO event_store.events AS e (global_position, stream_id, stream_revision, event_id, event_type,
                                                   schema_version, data, metadata, recorded_at, content_hash, hash)
              SELECT nextval('event_store.global_position_seq'), p_streams[s.k], s.rev, s.id, s.type, s.version,
                     s.data, s.metadata, s.recorded_at, s.content_hash, s.hash
              FROM (SELECT * FROM unnest(p_event_append, p_ids, p_types, p_versions, p_data, p_metadata, v_at,
                                         p_content_hashes, v_hashes, v_rev)
                      WITH ORDINALITY AS u(k, id, type, version, data, metadata, recorded_at, content_hash, hash, rev, ord)
                    WHERE v_keep[u.k]
                    ORDER BY u.ord) s
              RETURNING e.event_id, e.event_type, e.stream_revision, e.global_position, e.stream_id
            )
            SELECT array_position(p_streams, inserted.stream_id), inserted.event_id, inserted.event_type,
                   inserted.stream_revision, inserted.global_position, NULL::text, NULL::text
            FROM inserted ORDER BY inserted.global_position;
          PERFORM pg_advisory_unlock(74002, 0);
        EXCEPTION WHEN OTHERS OR query_canceled THEN
          IF EXISTS (SELECT 1 FROM pg_locks l
                     WHERE l.locktype = 'advisory' AND l.pid = pg_backend_pid() AND l.granted
                       AND l.classid = 74002 AND l.objid = 0 AND l.objsubid = 2) THEN
            PERFORM pg_advisory_unlock(74002, 0);
          END IF;
          RAISE;
        END;
      END;
      $fn$;
    `,
  },
  {
    version: 6,
    description: 'append functions: the global lock covers only the transaction id, the positions and the record time',
    // Measured (BENCHMARKS.md, "Appends: the global lock"): both functions used to hash and insert
    // every row while holding the global lock (74002), so appends never overlapped there: with
    // 100-event appends at concurrency 16 one connection's worth of time went to waiting for it.
    // What readers need is only that position order equals transaction-id order (see version 1):
    // that holds when the transaction id is assigned (pg_current_xact_id) and the positions are
    // drawn from the sequence under the lock, together. The record time is taken there too, so it
    // never decreases along the log. Hashing and the INSERT then run outside it, in parallel with
    // other appends; a failure there leaves only a gap in the positions, as a rollback always did.
    // Also: the lock keys are taken in one statement each instead of one statement per key, and
    // append_events_many reads every stream's head and every already-stored id in one query each
    // instead of two queries per append (a 2,000-item decision made 4,000 of them).
    // Arguments, checks, error codes and results are those of versions 3 to 5.
    sql: `${APPEND_EVENTS_V6}
${APPEND_EVENTS_MANY_V6}`,
  },
  {
    version: 7,
    description: 'hex checks of the hashes without a bounded regex repeat (10x cheaper per event)',
    // Measured (BENCHMARKS.md, "Appends: the hex checks"): each event's content hash was tested
    // against '^[0-9a-f]{64}$' three times, by the append function's argument check and by the two
    // CHECK constraints of version 3 (content_hash and hash), at about 20 µs each: some 6 ms of a
    // 100-event append_events call of 10 ms. The same tests, written as HEX_64, cost 2 µs. The
    // constraints keep their names and accept exactly the same rows; adding them checks every stored
    // row once (a table scan under the migration's exclusive lock: a few seconds at a million events).
    // Arguments, locks, checks, error codes and results of the functions are those of version 6.
    sql: `
      ALTER TABLE event_store.events
        DROP CONSTRAINT events_content_hash_hex,
        DROP CONSTRAINT events_hash_hex,
        ADD CONSTRAINT events_content_hash_hex CHECK ${HEX_64('content_hash')},
        ADD CONSTRAINT events_hash_hex CHECK ${HEX_64('hash')};
${replaced(APPEND_EVENTS_V6, CONTENT_HASHES_CHECK_V6, CONTENT_HASHES_CHECK_V7)}
${replaced(APPEND_EVENTS_MANY_V6, CONTENT_HASHES_CHECK_V6, CONTENT_HASHES_CHECK_V7)}`,
  },
];

export const EVENT_STORE_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/**
 * Creates or upgrades the event store's schema; returns the versions it applied. `targetVersion`
 * stops short of the latest (tests of a migration start from the version before it).
 */
export function migrateEventStore(
  pool: pg.Pool,
  log: (message: string) => void = () => undefined,
  options: { targetVersion?: number } = {},
): Promise<number[]> {
  return runVersionedMigrations(pool, {
    component: 'event-store',
    lock: ADVISORY_LOCKS.eventStoreMigrations,
    migrations: MIGRATIONS,
    label: 'event store schema',
    log,
    targetVersion: options.targetVersion,
  });
}

const BACKFILL_BATCH = 2_000;

/**
 * Version 3 on a log written before it: every row's content hash and chained hash, stream by stream
 * in revision order, as append_events would have computed them (the content hash needs the
 * TypeScript canonical JSON, hence here rather than in SQL). It runs inside the migration's
 * transaction, whose ALTER TABLE holds the table's exclusive lock: no append can interleave, and a
 * failure leaves the schema at version 2. Batches keep memory flat on a large log; the updated rows
 * leave dead tuples behind that autovacuum reclaims. About 7,000 rows a second on a laptop: a log of
 * a million events keeps appends and reads waiting some two or three minutes, once.
 */
async function backfillHashes(client: pg.PoolClient, log: (message: string) => void): Promise<number> {
  interface Row {
    global_position: string;
    stream_id: string;
    stream_revision: number;
    event_id: string;
    event_type: string;
    schema_version: number;
    data: unknown;
    metadata: Record<string, unknown>;
    recorded_at_ms: string;
  }
  const columns = `global_position, stream_id, stream_revision, event_id, event_type, schema_version, data, metadata,
                   floor(extract(epoch FROM recorded_at) * 1000)::bigint AS recorded_at_ms`;
  let last: { streamId: string; revision: number; hash: string } | undefined;
  let done = 0;
  for (;;) {
    const { rows } = last
      ? await client.query<Row>(
          `SELECT ${columns} FROM event_store.events WHERE (stream_id, stream_revision) > ($1, $2)
           ORDER BY stream_id, stream_revision LIMIT ${BACKFILL_BATCH}`,
          [last.streamId, last.revision],
        )
      : await client.query<Row>(`SELECT ${columns} FROM event_store.events ORDER BY stream_id, stream_revision LIMIT ${BACKFILL_BATCH}`);
    if (rows.length === 0) return done;
    const positions: string[] = [];
    const contentHashes: string[] = [];
    const hashes: string[] = [];
    for (const row of rows) {
      const prevHash = last?.streamId === row.stream_id ? last.hash : GENESIS_HASH;
      const contentHash = eventContentHash({
        id: row.event_id,
        type: row.event_type,
        schemaVersion: row.schema_version,
        data: row.data,
        metadata: row.metadata as never,
      });
      const hash = eventHash({
        prevHash,
        streamId: row.stream_id,
        revision: row.stream_revision,
        recordedAtMs: Number(row.recorded_at_ms),
        contentHash,
      });
      positions.push(row.global_position);
      contentHashes.push(contentHash);
      hashes.push(hash);
      last = { streamId: row.stream_id, revision: row.stream_revision, hash };
    }
    await client.query(
      `UPDATE event_store.events e SET content_hash = u.content_hash, hash = u.hash
       FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u(global_position, content_hash, hash)
       WHERE e.global_position = u.global_position`,
      [positions, contentHashes, hashes],
    );
    done += rows.length;
    if (done % 100_000 < BACKFILL_BATCH) log(`event store schema: hashed ${done} existing events…`);
  }
}
