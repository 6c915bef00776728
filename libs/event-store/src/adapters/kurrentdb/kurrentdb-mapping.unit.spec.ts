import { randomUUID } from 'node:crypto';
import {
  ANY,
  DeadlineExceededError,
  NO_STREAM,
  NotLeaderError,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  type AppendStreamState,
  type CurrentStreamState,
  type RecordedEvent as KurrentRecordedEvent,
} from '@kurrent/kurrentdb-client';
import { DuplicateEventIds, EventStoreUnavailable, WrongExpectedVersion, type ExpectedRevision, type NewEvent } from '../../event-store.port.js';
import {
  APPLICATION_STREAM_PREFIXES,
  checkPrefixes,
  fromRecordedEvent,
  isOwnStream,
  isStreamNotFound,
  isSystemEvent,
  repeatedIds,
  streamFilter,
  toActualRevision,
  toEventData,
  toGlobalPosition,
  toReadPosition,
  toStreamState,
  translateAppendError,
  translateError,
} from './kurrentdb-mapping.js';

const MAX = Number.MAX_SAFE_INTEGER;
const at = (n: bigint | number) => ({ commit: BigInt(n), prepare: BigInt(n) });

describe('KurrentDB mapping', () => {
  describe('positions', () => {
    it('maps a self-committed event to its log offset', () => {
      expect(toGlobalPosition(at(1_024), 'e')).toBe(1_024);
      expect(toGlobalPosition(at(MAX), 'e')).toBe(MAX);
    });

    it('keeps $all order: offsets of consecutive records, however large, map to increasing numbers', () => {
      // Records of an append and of other streams, with sizes from tiny to 16 MB, up to 2^53.
      const sizes = [90, 91, 4_096, 16 * 1024 * 1024, 137, 1];
      let offset = 2n ** 53n - 80n * 1024n * 1024n;
      const positions: number[] = [];
      for (let i = 0; i < 24; i++) {
        positions.push(toGlobalPosition(at(offset), `e${i}`));
        offset += BigInt(sizes[i % sizes.length]);
      }
      for (let i = 1; i < positions.length; i++) expect(positions[i]).toBeGreaterThan(positions[i - 1]);
    });

    it('refuses what one number cannot say exactly', () => {
      // An explicit transaction: several prepares under one commit record.
      expect(() => toGlobalPosition({ commit: 5_000n, prepare: 4_200n }, 'e')).toThrow(/explicit transaction/);
      expect(() => toGlobalPosition(at(2n ** 53n), 'e')).toThrow(/outside 1\.\.2\^53-1/);
      expect(() => toGlobalPosition(at(0), 'e')).toThrow(/outside/);
      // A server before 22.6 reports no position for stream reads, or 2^64 - 1.
      expect(() => toGlobalPosition(undefined, 'e')).toThrow(/22\.10 or later/);
      expect(() => toGlobalPosition({ commit: 2n ** 64n - 1n, prepare: 2n ** 64n - 1n }, 'e')).toThrow(/22\.10 or later/);
    });

    it('reads from the start for 0 and from the event itself otherwise, round-tripping exactly', () => {
      expect(toReadPosition(0)).toBe(START);
      for (const n of [1, 77, 4_294_967_296, 2 ** 52 + 1, MAX]) {
        expect(toReadPosition(n)).toEqual(at(n));
        expect(toGlobalPosition(toReadPosition(n) as { commit: bigint; prepare: bigint }, 'e')).toBe(n);
      }
      expect(() => toReadPosition(-1)).toThrow(TypeError);
      expect(() => toReadPosition(1.5)).toThrow(TypeError);
      expect(() => toReadPosition(MAX + 1)).toThrow(TypeError);
    });
  });

  describe('expected revisions', () => {
    it.each<[ExpectedRevision, AppendStreamState]>([
      ['any', ANY],
      ['no_stream', NO_STREAM],
      ['stream_exists', STREAM_EXISTS],
      [0, 0n],
      [41, 41n],
      [MAX, BigInt(MAX)],
    ])('maps %p to %p', (expected, state) => {
      expect(toStreamState(expected)).toBe(state);
    });

    it('refuses a revision that is not a non-negative integer', () => {
      expect(() => toStreamState(-1)).toThrow(TypeError);
      expect(() => toStreamState(2.5)).toThrow(TypeError);
    });

    it.each<[CurrentStreamState | undefined, number | 'no_stream']>([
      [NO_STREAM, 'no_stream'],
      [undefined, 'no_stream'],
      [-1n, 'no_stream'],
      [-5n, 'no_stream'], // deleted
      [0n, 0],
      [3n, 3],
    ])('reads the actual state %p as %p', (actual, revision) => {
      expect(toActualRevision(actual)).toBe(revision);
    });
  });

  describe('errors', () => {
    const ids = [randomUUID(), randomUUID()];
    const wrong = (expected: AppendStreamState, current: CurrentStreamState) =>
      new WrongExpectedVersionError(undefined as never, { streamName: 'procedure-74:1', expected, current });

    it("turns the server's wrong expected version into the same domain error as PostgreSQL's", () => {
      expect(translateAppendError(wrong(NO_STREAM, 1n), 'procedure-74:1', 'no_stream', ids)).toEqual(
        new WrongExpectedVersion('procedure-74:1', 'no_stream', 1),
      );
      const stale = translateAppendError(wrong(1n, 3n), 'procedure-74:1', 1, ids);
      expect(stale).toBeInstanceOf(WrongExpectedVersion);
      expect(stale).toMatchObject({ code: 'WRONG_EXPECTED_VERSION', streamId: 'procedure-74:1', expected: 1, actual: 3 });
      expect(translateAppendError(wrong(0n, NO_STREAM), 'procedure-74:1', 0, ids)).toMatchObject({ expected: 0, actual: 'no_stream' });
      expect(translateAppendError(wrong(STREAM_EXISTS, NO_STREAM), 'procedure-74:1', 'stream_exists', ids)).toMatchObject({
        expected: 'stream_exists',
        actual: 'no_stream',
      });
    });

    it('reads a wrong expected version where no version check can fail as reused ids', () => {
      for (const [expected, state] of [['any', ANY], ['stream_exists', STREAM_EXISTS]] as const) {
        const error = translateAppendError(wrong(state, 4n), 'procedure-74:1', expected, ids);
        expect(error).toBeInstanceOf(DuplicateEventIds);
        expect(error).toMatchObject({ code: 'DUPLICATE_EVENT_IDS', streamId: 'procedure-74:1', ids });
      }
    });

    it('turns connection failures into EventStoreUnavailable, keeping the cause', () => {
      const grpcUnavailable = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, details: 'No connection established' });
      const failures: unknown[] = [
        new UnavailableError(undefined as never),
        new DeadlineExceededError(undefined as never),
        new NotLeaderError({ metadata: { 'leader-endpoint-host': 'node2', 'leader-endpoint-port': '2113' } } as never),
        grpcUnavailable,
        Object.assign(new Error('deadline'), { code: 4, details: 'Deadline exceeded' }),
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2113'), { code: 'ECONNREFUSED' }),
      ];
      for (const failure of failures) {
        const error = translateError(failure);
        expect(error).toBeInstanceOf(EventStoreUnavailable);
        expect(error.cause).toBe(failure);
        expect(translateAppendError(failure, 's', 'any', ids)).toBeInstanceOf(EventStoreUnavailable);
      }
    });

    it('passes other errors on unchanged', () => {
      const bug = new TypeError('bug');
      expect(translateError(bug)).toBe(bug);
      const notFound = new StreamNotFoundError(undefined as never, 'procedure-74:1');
      expect(translateError(notFound)).toBe(notFound);
      expect(isStreamNotFound(notFound)).toBe(true);
      expect(isStreamNotFound(bug)).toBe(false);
      expect(translateError(Object.assign(new Error('x'), { code: 13, details: 'internal' }))).not.toBeInstanceOf(EventStoreUnavailable);
    });
  });

  describe('serialization', () => {
    const event = (overrides: Partial<NewEvent> = {}): NewEvent => ({
      id: randomUUID(),
      type: 'PaperIntakeDisabled',
      schemaVersion: 2,
      data: { authorityCode: '74', procedureCode: '1.001612', effectiveFrom: '2024-07-01' },
      metadata: { actor: 'cán-bộ@sotp.binhduong.gov.vn', correlationId: randomUUID(), causationId: null },
      ...overrides,
    });

    it('writes type as event type, data as JSON data, and metadata plus schemaVersion as JSON metadata', () => {
      const e = event();
      expect(toEventData(e)).toEqual({
        id: e.id,
        contentType: 'application/json',
        type: 'PaperIntakeDisabled',
        data: e.data,
        metadata: { ...e.metadata, schemaVersion: 2 },
      });
    });

    it('writes an explicit recordedAt, normalised as PostgreSQL returns it, and refuses a malformed one', () => {
      const e = event({ metadata: { actor: 'import', correlationId: 'c', causationId: null, recordedAt: '2019-03-01T15:00:00+07:00' } });
      expect(toEventData(e).metadata).toEqual({ actor: 'import', correlationId: 'c', causationId: null, schemaVersion: 2, recordedAt: '2019-03-01T08:00:00.000Z' });
      expect(() => toEventData(event({ metadata: { ...e.metadata, recordedAt: 'yesterday' } }))).toThrow(TypeError);
    });

    it('refuses data that JSON cannot carry', () => {
      expect(() => toEventData(event({ data: undefined }))).toThrow(TypeError);
      expect(() => toEventData(event({ data: () => 1 }))).toThrow(TypeError);
    });

    it('reads back every field, with the server record time as recordedAt unless one was given', () => {
      const e = event();
      const written = toEventData(e);
      const created = new Date('2025-11-20T03:04:05.678Z');
      const recorded = stored({ id: e.id, type: e.type, data: e.data, metadata: written.metadata, created, position: at(8_192), revision: 3n });
      expect(fromRecordedEvent(recorded)).toEqual({
        id: e.id,
        type: 'PaperIntakeDisabled',
        schemaVersion: 2,
        data: e.data,
        metadata: { ...e.metadata, recordedAt: '2025-11-20T03:04:05.678Z' },
        streamId: 'procedure-74:1.001612',
        revision: 3,
        globalPosition: 8_192,
      });
      const imported = stored({ metadata: { actor: 'a', correlationId: 'c', causationId: null, schemaVersion: 1, recordedAt: '2019-03-01T08:00:00.000Z' }, created });
      expect(fromRecordedEvent(imported).metadata.recordedAt).toBe('2019-03-01T08:00:00.000Z');
    });

    it('reads an event some other tool wrote: schemaVersion 1 if absent, refused if not JSON', () => {
      expect(fromRecordedEvent(stored({ metadata: { actor: 'ui', correlationId: 'c', causationId: null } })).schemaVersion).toBe(1);
      expect(() => fromRecordedEvent(stored({ isJson: false }))).toThrow(/not JSON/);
      expect(() => fromRecordedEvent(stored({ metadata: undefined }))).toThrow(/metadata/);
      expect(() => fromRecordedEvent(stored({ metadata: new Uint8Array([1, 2]) }))).toThrow(/metadata/);
    });
  });

  describe('streams and filter', () => {
    it("filters $all server-side by this application's stream prefix", () => {
      expect(APPLICATION_STREAM_PREFIXES).toEqual(['procedure-', 'decision-', 'authority-']);
      expect(streamFilter(APPLICATION_STREAM_PREFIXES)).toEqual({ filterOn: 'streamName', prefixes: ['procedure-', 'decision-', 'authority-'], checkpointInterval: 1 });
    });

    it('refuses prefixes that would take in system streams', () => {
      expect(() => checkPrefixes([])).toThrow();
      expect(() => checkPrefixes([''])).toThrow();
      expect(() => checkPrefixes(['$ce-procedure'])).toThrow();
      expect(() => checkPrefixes(['procedure-', 'authority-'])).not.toThrow();
    });

    it('tells own streams and system events', () => {
      expect(isOwnStream(['procedure-'], 'procedure-74:1.001612')).toBe(true);
      expect(isOwnStream(['procedure-'], '$ce-procedure')).toBe(false);
      expect(isOwnStream(['procedure-'], 'other-procedure-1')).toBe(false);
      expect(isSystemEvent('$streamDeleted')).toBe(true);
      expect(isSystemEvent('$>')).toBe(true);
      expect(isSystemEvent('ProcedureRegistered')).toBe(false);
    });

    it('finds ids repeated within a batch', () => {
      const [a, b] = [randomUUID(), randomUUID()];
      const e = (id: string) => ({ id }) as NewEvent;
      expect(repeatedIds([e(a), e(b)])).toEqual([]);
      expect(repeatedIds([e(a), e(b), e(a), e(a)])).toEqual([a]);
    });
  });
});

function stored(overrides: Partial<Record<keyof KurrentRecordedEvent, unknown>> = {}): KurrentRecordedEvent {
  return {
    streamId: 'procedure-74:1.001612',
    id: randomUUID(),
    revision: 0n,
    type: 'ProcedureRegistered',
    isJson: true,
    data: { ok: true },
    metadata: { actor: 'a', correlationId: 'c', causationId: null, schemaVersion: 1 },
    created: new Date(),
    position: at(4_096),
    ...overrides,
  } as KurrentRecordedEvent;
}
