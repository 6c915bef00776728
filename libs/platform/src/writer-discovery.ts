import pg from 'pg';
import { isDatabaseUnreachable } from './database-errors.js';
import { withTimeout } from './with-timeout.js';

/**
 * A DATABASE_URL read as libpq reads one: `postgres://user:pw@host1:5432,host2:5433/db?…` names
 * several hosts (same user, password, database and options). Returns one single-host URL per host,
 * in order, without `target_session_attrs` (node-postgres reads neither several hosts nor that
 * option), and whether the app has to find the writer among them: several hosts, or
 * `target_session_attrs` set to `read-write` or `primary`. A URL of one host without that option
 * comes back as it is, and no discovery.
 *
 * @example databaseHosts('postgres://u:p@a:5432,b:5433/tthc?target_session_attrs=read-write')
 *   // { urls: ['postgres://u:p@a:5432/tthc', 'postgres://u:p@b:5433/tthc'], findWriter: true }
 * @throws Error when a host is empty, or target_session_attrs is set to something the app cannot honour
 */
export function databaseHosts(url: string): { urls: string[]; findWriter: boolean } {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^@/?#]*@)?([^/?#]*)(.*)$/i.exec(url);
  if (!match) return { urls: [url], findWriter: false };
  const [, scheme, userinfo = '', hostList, rest] = match;
  const hosts = hostList.split(',');
  if (hosts.some((h) => h.trim() === '')) throw new Error(`DATABASE_URL names an empty host in '${hostList}'`);
  const urls = hosts.map((host) => {
    const single = new URL(`${scheme}${userinfo}${host.trim()}${rest}`);
    single.searchParams.delete('target_session_attrs');
    return single.toString();
  });
  const attrs = new URL(`${scheme}${userinfo}${hosts[0].trim()}${rest}`).searchParams.get('target_session_attrs');
  if (attrs !== null && !['read-write', 'primary', 'any'].includes(attrs)) {
    throw new Error(`DATABASE_URL's target_session_attrs must be read-write, primary or any (the app writes), got '${attrs}'`);
  }
  const findWriter = hosts.length > 1 || attrs === 'read-write' || attrs === 'primary';
  return { urls: findWriter ? urls : [url], findWriter };
}

/**
 * None of DATABASE_URL's hosts accepts writes now (all unreachable, or all in recovery: a primary
 * gone and its replica not promoted yet). Its `code` is PostgreSQL's 08001 (the client could not
 * establish a connection), so that the api answers it as the database being unavailable: 503.
 */
export class NoWritableDatabase extends Error {
  readonly code = '08001';
  constructor(readonly hosts: { host: string; state: 'standby' | 'unreachable' }[]) {
    super(`No database server accepts writes now (${hosts.map((h) => `${h.host}: ${h.state}`).join(', ')})`);
    this.name = 'NoWritableDatabase';
  }
}

/**
 * Finds which of DATABASE_URL's hosts takes writes, as libpq's `target_session_attrs=read-write`
 * does but once per process rather than per connection: every host is asked, in parallel,
 * `SELECT pg_is_in_recovery()`; the first in the URL's order that answers false is the writer, kept
 * until a connection to it fails to connect or is lost (`lost`), when the next connection asks
 * again. So after a replica is promoted and the old primary is gone, the next connections of the
 * process go to the promoted one. It does not fence: with two writable hosts it picks the first
 * listed, so the old primary must be stopped before (or instead of) writes going on there.
 */
export class WriterDiscovery {
  private writer: string | undefined;
  private probing: Promise<string> | undefined;
  private announced: string | undefined;

  /**
   * @param urls single-host URLs (databaseHosts), in order of preference
   * @param options.timeoutMs bound on each host's connect and answer (default 5,000)
   * @param options.log told when writes go to another host than before
   */
  constructor(
    readonly urls: string[],
    private readonly options: { timeoutMs?: number; log?: (message: string) => void } = {},
  ) {}

  /** The writer as last found, if still believed. */
  get current(): string | undefined {
    return this.writer;
  }

  /** The writer's URL: the one last found, else every host asked now. Throws NoWritableDatabase. */
  writerUrl(): Promise<string> {
    if (this.writer !== undefined) return Promise.resolve(this.writer);
    this.probing ??= this.probe().finally(() => (this.probing = undefined));
    return this.probing;
  }

  /** A connection to `url` failed or was lost: the next `writerUrl()` asks every host again. */
  lost(url: string): void {
    if (this.writer === url) this.writer = undefined;
  }

  private async probe(): Promise<string> {
    const timeoutMs = this.options.timeoutMs ?? 5_000;
    const states = await Promise.all(
      this.urls.map(async (url) => {
        const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, application_name: 'tthc-ledger writer discovery' });
        client.on('error', () => undefined);
        try {
          await withTimeout(client.connect(), timeoutMs);
          const { rows } = await withTimeout(client.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r'), timeoutMs);
          return rows[0].r ? 'standby' : 'writer';
        } catch {
          return 'unreachable';
        } finally {
          void client.end().catch(() => undefined);
        }
      }),
    );
    const found = states.indexOf('writer');
    if (found < 0) throw new NoWritableDatabase(this.urls.map((url, i) => ({ host: new URL(url).host, state: states[i] as 'standby' | 'unreachable' })));
    const url = this.urls[found];
    if (this.announced !== url) this.options.log?.(`writes go to ${new URL(url).host}${this.announced ? ` (was ${new URL(this.announced).host})` : ''}`);
    this.announced = url;
    this.writer = url;
    return url;
  }
}

/**
 * A `pg.Client` class (extending `Base`) whose connections go to the host `discovery` finds
 * writable, whatever host its config names; a connection that cannot be made or is lost tells the
 * discovery (WriterDiscovery.lost). For pools (`Client` option) and single clients alike. Without a
 * discovery (DATABASE_URL names one host): `Base` itself.
 */
export function writerClientClass(writers: WriterDiscovery | null | undefined, Base: typeof pg.Client = pg.Client): typeof pg.Client {
  if (!writers) return Base;
  const discovery = writers; // narrowed for the class's methods
  class WriterClient extends (Base as typeof pg.Client) {
    private target: string | undefined;

    constructor(config?: string | pg.ClientConfig) {
      super(config);
      this.on('error', (error) => {
        if (this.target !== undefined && isDatabaseUnreachable(error)) discovery.lost(this.target);
      });
    }

    override connect(): Promise<pg.Client>;
    override connect(callback: ((err: Error) => void) | ((err: null, c: pg.Client) => void)): void;
    override connect(callback?: any): Promise<pg.Client> | void {
      const connecting = discovery.writerUrl().then(async (url) => {
        this.target = url;
        const { hostname, port } = new URL(url);
        const self = this as unknown as { host: string; port: number; connectionParameters: { host: string; port: number } };
        self.host = self.connectionParameters.host = hostname.replace(/^\[(.*)\]$/, '$1');
        self.port = self.connectionParameters.port = Number(port || 5432);
        try {
          return await super.connect();
        } catch (error) {
          if (isDatabaseUnreachable(error)) discovery.lost(url);
          throw error;
        }
      });
      if (!callback) return connecting;
      connecting.then((client) => callback(null, client), (error: Error) => callback(error));
    }
  }
  return WriterClient as unknown as typeof pg.Client;
}
