import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { startApi, type ApiHarness } from '../support/api-app.js';

// A client that trickles its request (slow loris) or idles on a keep-alive connection cannot hold a
// connection past the HTTP server's bounds (HTTP_HEADERS_TIMEOUT_MS, HTTP_REQUEST_TIMEOUT_MS,
// HTTP_KEEP_ALIVE_TIMEOUT_MS; here 500 ms, 1 s and 300 ms).

const TIMEOUTS = { headersTimeoutMs: 500, requestTimeoutMs: 1_000, keepAliveTimeoutMs: 300 };
/** node checks the header and request bounds periodically (here every 125 ms): some slack. */
const SLACK_MS = 700;

describe('HTTP connections are bounded', () => {
  let api: ApiHarness;
  let port: number;

  beforeAll(async () => {
    api = await startApi({ httpTimeouts: TIMEOUTS });
    await api.app.listen(0, '127.0.0.1');
    port = (api.app.getHttpServer().address() as AddressInfo).port;
  }, 60_000);

  afterAll(async () => {
    await api?.close();
  }, 30_000);

  /**
   * Opens a connection, writes `head` then `trickle` one byte every 100 ms, and resolves when the
   * server closes it: after how long, and what it answered. Gives up after `giveUpMs`.
   */
  function hold(head: string, trickle: string, giveUpMs = 5_000): Promise<{ closedAfterMs: number; answer: string }> {
    return new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      const started = Date.now();
      let answer = '';
      let sent = 0;
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearInterval(timer);
        clearTimeout(giveUp);
        socket.destroy();
        resolve({ closedAfterMs: Date.now() - started, answer });
      };
      const giveUp = setTimeout(done, giveUpMs);
      socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
      socket.on('error', () => undefined);
      socket.on('close', done);
      socket.on('connect', () => {
        socket.write(head);
        timer = setInterval(() => {
          if (!socket.writable) return;
          socket.write(trickle[sent % trickle.length]);
          sent += 1;
        }, 100);
      });
    });
  }

  it('closes a connection whose headers come one byte at a time, at the headers timeout', async () => {
    const { closedAfterMs, answer } = await hold('GET /health HTTP/1.1\r\nHost: x\r\n', 'X-Slow: aaaaaaaaaaaaaaaaaaaaaaaa\r\n');
    expect(closedAfterMs).toBeLessThan(TIMEOUTS.headersTimeoutMs + SLACK_MS);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes a connection whose body comes one byte at a time, at the request timeout', async () => {
    const head = 'POST /api/authorities/74/procedures HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n';
    const { closedAfterMs, answer } = await hold(head, ' ');
    expect(closedAfterMs).toBeGreaterThanOrEqual(TIMEOUTS.requestTimeoutMs - 50);
    expect(closedAfterMs).toBeLessThan(TIMEOUTS.requestTimeoutMs + SLACK_MS);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const closed = await new Promise<{ afterAnswerMs: number; answer: string }>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n'));
      let answer = '';
      let answeredAt = 0;
      const giveUp = setTimeout(() => socket.destroy(), 5_000);
      socket.on('data', (chunk) => {
        answer += chunk.toString('latin1');
        answeredAt ||= Date.now();
      });
      socket.on('close', () => {
        clearTimeout(giveUp);
        resolve({ afterAnswerMs: Date.now() - answeredAt, answer });
      });
    });
    expect(closed.answer).toMatch(/^HTTP\/1\.1 200 /);
    // node keeps an idle connection up to 1 s past keepAliveTimeout (its keepAliveTimeoutBuffer).
    expect(closed.afterAnswerMs).toBeLessThan(TIMEOUTS.keepAliveTimeoutMs + 1_000 + SLACK_MS);
  });
});
