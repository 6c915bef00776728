import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { ADVISORY_LOCKS, withTimeout } from '@tthc/platform';

/**
 * The advisory lock whose holder is the one projector that projects (ADVISORY_LOCKS.projectorLeader,
 * a key of its own: a migration waiting on a key a leader holds would wait for the leader's lifetime).
 * Advisory locks are per database: one leader per read-model database.
 */
export const PROJECTOR_LEADER_LOCK = { classId: ADVISORY_LOCKS.projectorLeader[0], objectId: ADVISORY_LOCKS.projectorLeader[1] } as const;

export type ProjectorRole = 'standby' | 'leader' | 'stopped';

export interface ProjectorElectionOptions {
  /** Connection string of the read models' (primary) database: the lock lives there. */
  url: string;
  /** The client class of the lock connection (default pg.Client; writerClientClass to follow the writer among several hosts). */
  Client?: typeof pg.Client;
  /** How often a standby asks for the lock, in ms (default 500): the failover time once the leader's session ends. */
  pollMs?: number;
  /** How often the leader checks that its lock connection still holds the lock, in ms (default 2,000). */
  checkMs?: number;
  /** A lock connection's calls unanswered after this long (ms, default 5,000) end it: a standby reconnects, a leader steps down. */
  callTimeoutMs?: number;
  /** Connect timeout and TCP keepalive of the lock connection (pg options; default 5,000 ms and keepalive after 10 s). */
  connectTimeoutMs?: number;
  keepAliveInitialDelayMs?: number;
  log?: (message: string) => void;
  /** Test hook: the role changed. */
  onRole?: (role: ProjectorRole) => void;
}

/**
 * Leader election among projectors, with a session-level advisory lock (PROJECTOR_LEADER_LOCK) held
 * on a dedicated connection for as long as the leader leads.
 *
 * - A standby holds that one connection and nothing else: no subscription, no read of the log. Every
 *   `pollMs` it asks `pg_try_advisory_lock`; the server grants it once the leader's session is gone
 *   (a killed process's socket is closed by its kernel, so at once; a silent network, once TCP
 *   keepalive or the server's timeouts end the session).
 * - The leader runs `lead(signal)` (the projection) until its lock connection fails, stops answering
 *   within `callTimeoutMs`, or no longer holds the lock (checked every `checkMs`): then `signal` aborts,
 *   it waits for `lead` to return, and campaigns again. Losing the connection is stepping down.
 * - Never two writers at once: a deposed leader may still finish the batch it was writing while a new
 *   leader starts, and the checkpoint row lock of ProjectionRunner.applyBatch orders the two (the
 *   later batch, no longer right after the checkpoint, is rolled back and read again). So no event is
 *   applied twice or skipped, whatever the timing.
 */
export class ProjectorElection {
  private current: ProjectorRole = 'stopped';
  private readonly pollMs: number;
  private readonly checkMs: number;
  private readonly callTimeoutMs: number;
  private readonly log: (message: string) => void;

  constructor(private readonly options: ProjectorElectionOptions) {
    this.pollMs = options.pollMs ?? 500;
    this.checkMs = options.checkMs ?? 2_000;
    this.callTimeoutMs = options.callTimeoutMs ?? 5_000;
    this.log = options.log ?? (() => undefined);
  }

  role(): ProjectorRole {
    return this.current;
  }

  /** Campaigns, leads when elected (`lead` gets a signal that aborts on stepping down), until `signal` aborts. */
  async run(signal: AbortSignal, lead: (leading: AbortSignal) => Promise<void>): Promise<void> {
    let backoff = 250;
    try {
      while (!signal.aborted) {
        const client = this.newClient();
        const lost = new AbortController();
        const onLost = () => lost.abort();
        client.on('error', onLost); // a lost connection is reported here; without a listener it would crash the process
        client.on('end', onLost);
        try {
          await client.connect();
          this.setRole('standby');
          const since = Date.now();
          if (!(await this.campaign(client, signal, lost.signal))) continue;
          backoff = 250;
          this.setRole('leader');
          this.log(`elected leader after ${Date.now() - since} ms as a standby: projecting`);
          await this.leadWhileHeld(client, signal, lost, lead);
          if (!signal.aborted) this.log('lost the leader lock connection: stepped down, campaigning again');
        } catch (error) {
          if (signal.aborted) break;
          this.log(`projector election: ${(error as Error).message}; trying again in ${backoff} ms`);
          await sleep(backoff, undefined, { signal }).catch(() => undefined);
          backoff = Math.min(backoff * 2, 5_000);
        } finally {
          // Ending the session releases the lock if held (unlocking first would be the same, one call more).
          await withTimeout(client.end(), this.callTimeoutMs).catch(() => undefined);
        }
      }
    } finally {
      this.setRole('stopped');
    }
  }

  /** Asks for the lock every pollMs; true once held, false when `signal` aborts. Throws when the connection fails. */
  private async campaign(client: pg.Client, signal: AbortSignal, lost: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (lost.aborted) throw new Error('the lock connection was lost');
      const { rows } = await this.call(client, 'SELECT pg_try_advisory_lock($1, $2) AS won');
      if (rows[0].won === true) return true;
      await sleep(this.pollMs, undefined, { signal }).catch(() => undefined);
    }
    return false;
  }

  private async leadWhileHeld(client: pg.Client, signal: AbortSignal, lost: AbortController, lead: (leading: AbortSignal) => Promise<void>): Promise<void> {
    const leading = AbortSignal.any([signal, lost.signal]);
    const watching = (async () => {
      while (!leading.aborted) {
        await sleep(this.checkMs, undefined, { signal: leading }).catch(() => undefined);
        if (leading.aborted) return;
        try {
          const { rows } = await this.call(
            client,
            `SELECT count(*)::int AS held FROM pg_locks
             WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND classid = $1 AND objid = $2 AND objsubid = 2 AND granted`,
          );
          if (rows[0].held !== 1) throw new Error('the leader lock is no longer held');
        } catch (error) {
          if (!leading.aborted) this.log(`leader check failed: ${(error as Error).message}`);
          lost.abort();
        }
      }
    })();
    try {
      await lead(leading);
    } finally {
      lost.abort(); // lead() returned by itself (it failed for good): step down too, and stop the check
      await watching;
    }
  }

  /** One call on the lock connection, bounded by callTimeoutMs: past it the connection is destroyed. */
  private async call(client: pg.Client, text: string): Promise<pg.QueryResult> {
    const { classId, objectId } = PROJECTOR_LEADER_LOCK;
    try {
      return await withTimeout(client.query(text, [classId, objectId]), this.callTimeoutMs, `no answer within ${this.callTimeoutMs} ms`);
    } catch (error) {
      (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
      throw error;
    }
  }

  private newClient(): pg.Client {
    return new (this.options.Client ?? pg.Client)({
      connectionString: this.options.url,
      connectionTimeoutMillis: this.options.connectTimeoutMs ?? 5_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: this.options.keepAliveInitialDelayMs ?? 10_000,
      application_name: 'tthc-ledger projector election',
    });
  }

  private setRole(role: ProjectorRole): void {
    if (role === this.current) return;
    this.current = role;
    this.options.onRole?.(role);
  }
}
