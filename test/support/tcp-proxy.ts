import net from 'node:net';

/** One client connection through the proxy and its upstream twin. */
interface Pair {
  client: net.Socket;
  server: net.Socket;
}

/**
 * What to do with a query. Before it reaches the server: `drop` resets the client's connection,
 * `hold` keeps it open and forwards nothing more, either way. After the server has run it: `reset`
 * resets the client's connection instead of delivering the answer, `silence` keeps it open and
 * forwards nothing more.
 */
export type QueryAction = 'drop' | 'hold' | 'reset' | 'silence';

/**
 * A TCP proxy in front of PostgreSQL for fault tests: `pause` holds every socket open and forwards
 * nothing (a silent network), `resume` lets the held bytes through, `reset` cuts every connection with
 * an RST, and `onQuery` acts on the reply to a query whose text contains a marker (the server has
 * done the work; the client never hears of it).
 *
 * @example
 *   const proxy = await startTcpProxy(new URL(databaseUrl));
 *   const url = proxy.url(databaseUrl);     // the same database, through the proxy
 *   proxy.pause(); … proxy.resume();
 */
export interface TcpProxy {
  url(databaseUrl: string): string;
  port: number;
  pause(): void;
  resume(): void;
  reset(): void;
  /** Once: the next query whose text contains `marker` is handled by `action`; resolves when it was. */
  onQuery(marker: string, action: QueryAction): Promise<void>;
  /** Open connections now. */
  connections(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(upstream: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let paused = false;
  const traps: { marker: Buffer; action: QueryAction; fired: () => void }[] = [];

  const server = net.createServer((client) => {
    const upstreamSocket = net.connect(upstream.port, upstream.host);
    const pair: Pair = { client, server: upstreamSocket };
    pairs.add(pair);
    let trapped: (typeof traps)[number] | undefined;
    let silenced = false;
    const forget = () => pairs.delete(pair);
    client.on('error', () => undefined);
    upstreamSocket.on('error', () => undefined);
    client.on('close', () => {
      forget();
      upstreamSocket.destroy();
    });
    upstreamSocket.on('close', () => {
      forget();
      if (!silenced) client.destroy();
    });
    client.on('data', (chunk: Buffer) => {
      if (silenced) return;
      const index = traps.findIndex((t) => chunk.includes(t.marker));
      if (index >= 0) trapped = traps.splice(index, 1)[0];
      if (trapped?.action === 'drop' || trapped?.action === 'hold') {
        if (trapped.action === 'drop') client.resetAndDestroy();
        else silenced = true;
        trapped.fired();
        trapped = undefined;
        return;
      }
      upstreamSocket.write(chunk);
    });
    upstreamSocket.on('data', (chunk: Buffer) => {
      if (silenced) return;
      if (trapped) {
        const { action, fired } = trapped;
        trapped = undefined;
        if (action === 'reset') {
          client.resetAndDestroy();
        } else {
          silenced = true; // the client's socket stays open; nothing more reaches it
        }
        fired();
        return;
      }
      client.write(chunk);
    });
    if (paused) {
      client.pause();
      upstreamSocket.pause();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    url(databaseUrl) {
      const url = new URL(databaseUrl);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    },
    pause() {
      paused = true;
      for (const { client, server: s } of pairs) {
        client.pause();
        s.pause();
      }
    },
    resume() {
      paused = false;
      for (const { client, server: s } of pairs) {
        client.resume();
        s.resume();
      }
    },
    reset() {
      for (const { client, server: s } of [...pairs]) {
        client.resetAndDestroy();
        s.destroy();
      }
    },
    onQuery(marker, action) {
      return new Promise<void>((fired) => traps.push({ marker: Buffer.from(marker), action, fired }));
    },
    connections: () => pairs.size,
    async close() {
      for (const { client, server: s } of pairs) {
        client.destroy();
        s.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Host and port of a postgres:// URL. */
export function hostAndPort(databaseUrl: string): { host: string; port: number } {
  const url = new URL(databaseUrl);
  return { host: url.hostname || '127.0.0.1', port: Number(url.port || 5432) };
}
