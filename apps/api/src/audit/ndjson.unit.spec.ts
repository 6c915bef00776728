import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { prefersNdjson, writeNdjson } from './ndjson.js';

/** A socket that takes one chunk at a time, acknowledged by the test: it holds at most one. */
function slowSocket() {
  const chunks: string[] = [];
  const pending: (() => void)[] = [];
  const socket = new Writable({
    highWaterMark: 8,
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      pending.push(() => callback());
    },
  });
  return { socket, chunks, ack: () => pending.shift()?.() };
}

async function* batches(pulled: number[], count: number) {
  for (let i = 0; i < count; i++) {
    pulled.push(i);
    yield [{ n: i, text: 'Thủ tục' }, { n: i + 0.5 }];
  }
}

describe('writeNdjson', () => {
  it('reads the next batch only once the socket has drained: one batch in memory at most', async () => {
    const { socket, chunks, ack } = slowSocket();
    const pulled: number[] = [];
    const writing = writeNdjson(socket as unknown as ServerResponse, batches(pulled, 50), (item) => item);
    for (let i = 0; i < 50; i++) {
      await tick();
      expect(pulled.length).toBeLessThanOrEqual(chunks.length + 1);
      ack();
    }
    await writing;
    expect(chunks.join('').trimEnd().split('\n').map((line) => JSON.parse(line).n)).toEqual(Array.from({ length: 50 }, (_, i) => [i, i + 0.5]).flat());
    expect(socket.writableEnded).toBe(true);
  });

  it('stops reading when the client goes away', async () => {
    const { socket, ack } = slowSocket();
    const pulled: number[] = [];
    const writing = writeNdjson(socket as unknown as ServerResponse, batches(pulled, 1_000), (item) => item);
    await tick();
    ack();
    await tick();
    socket.destroy();
    await writing;
    expect(pulled.length).toBeLessThan(5);
  });
});

describe('prefersNdjson', () => {
  it.each([
    ['application/x-ndjson', true],
    ['application/x-ndjson, application/json;q=0.5', true],
    ['application/json, application/x-ndjson', false],
    ['application/json', false],
    ['*/*', false],
    [undefined, false],
  ])('%j → %s', (accept, expected) => expect(prefersNdjson(accept)).toBe(expected));
});
