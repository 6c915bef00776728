import { createHash } from 'node:crypto';
import type { RecordedEvent } from '../event-store.port.js';
import { canonicalJson } from './canonical-json.js';
import { canonicalEventId, eventContentHash, eventHash, GENESIS_HASH, nextLogDigest, recomputeEventHash, recordedAtMs } from './hash-chain.js';

// Pinned values: another implementation (the SQL of append_events, a KurrentDB adapter, an auditor's
// script) must give exactly these. They were checked with `sha256sum` over the texts shown.
const REGISTERED: RecordedEvent = {
  id: '6f1c1d3e-8a52-4b8e-9c1e-2b7f0c9d4a11',
  type: 'ProcedureRegistered',
  schemaVersion: 1,
  data: { procedureCode: '1.001612', authorityCode: '74', onlineMode: 'PARTIAL', effectiveFrom: '2023-06-01', decisionRef: 'QĐ 1234/QĐ-UBND' },
  metadata: { correlationId: 'c-1', actor: 'cán-bộ@sotp.binhduong.gov.vn', causationId: null, recordedAt: '2023-06-01T00:00:00.000Z' },
  streamId: 'procedure-74:1.001612',
  revision: 0,
  globalPosition: 1,
};
const CONTENT_TEXT =
  '{"data":{"authorityCode":"74","decisionRef":"QĐ 1234/QĐ-UBND","effectiveFrom":"2023-06-01","onlineMode":"PARTIAL","procedureCode":"1.001612"},' +
  '"id":"6f1c1d3e-8a52-4b8e-9c1e-2b7f0c9d4a11","metadata":{"actor":"cán-bộ@sotp.binhduong.gov.vn","causationId":null,"correlationId":"c-1"},' +
  '"schemaVersion":1,"type":"ProcedureRegistered"}';
const CONTENT_HASH = 'dac447272b88966fd074c8df746202f5ca0adfe4664df8493e948b4e364677fb'; // sha256(CONTENT_TEXT)
const HASH = '1eead41222313d62f62c4475ff043b25a94d780313b94f27590ad2ed01d3f20d'; // sha256(0…0|procedure-74:1.001612|0|1685577600000|CONTENT_HASH)
const DIGEST = 'de028a122c6f17132b3f16b02e988fc4db2981430fef4afe07580bec71422045'; // sha256(0…0 HASH)

describe('the hash chain', () => {
  it('hashes the canonical JSON of id, type, schemaVersion, data and metadata without recordedAt', () => {
    const { recordedAt: _recordedAt, ...metadata } = REGISTERED.metadata;
    const { id, type, schemaVersion, data } = REGISTERED;
    expect(canonicalJson({ id, type, schemaVersion, data, metadata })).toBe(CONTENT_TEXT);
    expect(createHash('sha256').update(CONTENT_TEXT, 'utf8').digest('hex')).toBe(CONTENT_HASH);
    expect(eventContentHash(REGISTERED)).toBe(CONTENT_HASH);
  });

  it('chains the hash over the previous one, the stream, the revision, the record time in ms and the content', () => {
    expect(eventHash({ prevHash: GENESIS_HASH, streamId: REGISTERED.streamId, revision: 0, recordedAtMs: 1685577600000, contentHash: CONTENT_HASH })).toBe(HASH);
    expect(recomputeEventHash(REGISTERED, GENESIS_HASH)).toEqual({ contentHash: CONTENT_HASH, hash: HASH });
  });

  it('digests the log as sha256 of the previous digest and the hash', () => {
    expect(nextLogDigest(GENESIS_HASH, HASH)).toBe(DIGEST);
  });

  it('changes with anything the writer or the store chose', () => {
    const variants: RecordedEvent[] = [
      { ...REGISTERED, data: { ...(REGISTERED.data as object), onlineMode: 'FULL_PROCESS' } },
      { ...REGISTERED, type: 'ProcedureWithdrawn' },
      { ...REGISTERED, schemaVersion: 2 },
      { ...REGISTERED, id: '6f1c1d3e-8a52-4b8e-9c1e-2b7f0c9d4a12' },
      { ...REGISTERED, metadata: { ...REGISTERED.metadata, actor: 'someone-else' } },
      { ...REGISTERED, metadata: { ...REGISTERED.metadata, recordedAt: '2023-06-01T00:00:00.001Z' } },
      { ...REGISTERED, streamId: 'procedure-74:1.001613' },
      { ...REGISTERED, revision: 1 },
    ];
    for (const variant of variants) expect(recomputeEventHash(variant, GENESIS_HASH).hash).not.toBe(HASH);
    expect(recomputeEventHash(REGISTERED, HASH).hash).not.toBe(HASH);
  });

  it('does not change with member order, or with an id written in capitals or braces as the store would normalise it', () => {
    const reordered = { ...REGISTERED, data: Object.fromEntries(Object.entries(REGISTERED.data as object).reverse()) };
    expect(eventContentHash(reordered)).toBe(CONTENT_HASH);
    expect(eventContentHash({ ...REGISTERED, id: `{${REGISTERED.id.toUpperCase()}}` })).toBe(CONTENT_HASH);
  });

  it('reads record times as whole milliseconds, truncating finer ones', () => {
    expect(recordedAtMs('2023-06-01T00:00:00.000Z')).toBe(1685577600000);
    expect(recordedAtMs('2023-06-01T07:00:00.123+07:00')).toBe(1685577600123);
    expect(() => recordedAtMs('yesterday')).toThrow(RangeError);
    expect(() => eventHash({ prevHash: GENESIS_HASH, streamId: 's', revision: 0, recordedAtMs: 1.5, contentHash: CONTENT_HASH })).toThrow(RangeError);
  });

  it('normalises UUIDs to the stored form and leaves other ids alone', () => {
    expect(canonicalEventId('6F1C1D3E8A524B8E9C1E2B7F0C9D4A11')).toBe('6f1c1d3e-8a52-4b8e-9c1e-2b7f0c9d4a11');
    expect(canonicalEventId('not-a-uuid')).toBe('not-a-uuid');
  });
});
