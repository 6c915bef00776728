import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { chown, mkdtemp, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EmbeddedPostgresError } from './embedded-postgres.error.js';
import type { PostgresRuntime } from './postgres-runtime.js';
import { isAlive, processStartTime, readPostmasterPid, runningPostmaster } from './postmaster.js';

export type SupervisorLog = (level: 'info' | 'warn' | 'error', message: string) => void;

export interface SupervisorOptions {
  runtime: PostgresRuntime;
  /** The cluster's folder (clusterDirectory()). */
  clusterDir: string;
  /** DATA_DIR: holds the server's log (`postgres.log`) and the record of who supervises it (`postgres.supervisor`). */
  dataDir: string;
  port: number;
  /** Superuser made by initdb, and its password. */
  user: string;
  password: string;
  maxConnections: number;
  /** Start the server again, with back-off, when it dies (the api); otherwise it stays down. */
  restart: boolean;
  /** Remove the cluster on stop (throw-away test servers). */
  removeOnStop?: boolean;
  log?: SupervisorLog;
}

/** Back-off between restarts: 1 s, doubled up to 30 s; forgotten once a server has stayed up 60 s. */
const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 30_000;
const STABLE_MS = 60_000;
const READY_TIMEOUT_MS = 60_000;
const LOG_TAIL_LINES = 15;
/** The server's log is set aside (one old copy kept) when a start finds it bigger than this. */
const LOG_ROTATE_BYTES = 10 * 1024 * 1024;

/**
 * One embedded PostgreSQL server, run by this process: started from the runtime's binaries as the
 * runtime's user, its stderr appended to DATA_DIR/postgres.log (the package embedded-postgres
 * discarded it, and had no way to find or restart a server), supervised until stop().
 *
 * - A server of this cluster left running by a process that died (SIGKILL of the api: nothing can
 *   stop it then) is found by its data folder (postmaster.pid, whose pid must be alive and work in
 *   that folder; never by a process name) and taken over when no live process supervises it (the
 *   record DATA_DIR/postgres.supervisor: pid and start time); on another port than asked it is
 *   stopped and started again. One a live process supervises is refused with a sentence saying so.
 * - When the server dies and `restart` is set, it is started again after 1 s, 2 s, 4 s … 30 s;
 *   meanwhile database calls fail to connect and the api answers them 503; pools reconnect by
 *   themselves once it is back.
 * - A start that fails throws EmbeddedPostgresError with the last lines of the server's log.
 */
export class PostgresSupervisor {
  private child: ChildProcess | undefined;
  private adoptedPid: number | undefined;
  private exited: Promise<void> = Promise.resolve();
  private watch: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private launching: Promise<void> | undefined;
  private stopping = false;
  private delayMs = FIRST_DELAY_MS;
  private upSince = 0;
  private readonly log: SupervisorLog;
  readonly logFile: string;
  private readonly recordFile: string;

  constructor(private readonly options: SupervisorOptions) {
    this.log = options.log ?? (() => undefined);
    this.logFile = join(options.dataDir, 'postgres.log');
    this.recordFile = join(options.dataDir, 'postgres.supervisor');
  }

  /** The cluster's folder. */
  get clusterDir(): string {
    return this.options.clusterDir;
  }

  /** The port it listens on (127.0.0.1). */
  get port(): number {
    return this.options.port;
  }

  /** The server's pid while it runs. */
  get pid(): number | undefined {
    return this.child?.pid ?? this.adoptedPid;
  }

  /** Starts the server, or takes over an orphan of this cluster; resolves once it accepts connections. */
  async start(): Promise<{ adopted: boolean }> {
    this.stopping = false;
    const { clusterDir, port } = this.options;
    const running = await runningPostmaster(clusterDir);
    if (running) {
      const owner = await this.liveSupervisor();
      if (owner !== undefined) {
        throw new EmbeddedPostgresError(
          `The embedded PostgreSQL of ${this.options.dataDir} is run by process ${owner} (another api, projector or cli): stop that process, give this one another DATA_DIR, or set DATABASE_URL.`,
        );
      }
      if (running.port === port && (await this.waitReady(running.pid, () => isAlive(running.pid)))) {
        this.adopt(running.pid);
        this.log('warn', `took over the embedded PostgreSQL (pid ${running.pid}, port ${port}) left running by a process that ended; its log is ${this.logFile}`);
        await this.writeRecord();
        return { adopted: true };
      }
      this.log('warn', `stopping the embedded PostgreSQL (pid ${running.pid}, port ${running.port}) left running by a process that ended, to start it on port ${port}`);
      await terminate(running.pid, () => isAlive(running.pid));
    }
    if (await answers(port)) {
      throw new EmbeddedPostgresError(
        `Port ${port} on 127.0.0.1 is taken by a server that is not the embedded PostgreSQL of ${this.options.dataDir}: set EMBEDDED_POSTGRES_PORT to a free port, or set DATABASE_URL.`,
      );
    }
    await this.launch();
    await this.writeRecord();
    return { adopted: false };
  }

  /** Stops the server (fast shutdown: sessions end, open transactions roll back) and supervising it. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    clearInterval(this.watch);
    await this.launching?.catch(() => undefined);
    const pid = this.pid;
    if (pid !== undefined) {
      const child = this.child;
      await terminate(pid, () => (child ? child.exitCode === null && child.signalCode === null : isAlive(pid)), this.exited);
    }
    this.child = undefined;
    this.adoptedPid = undefined;
    await this.removeRecord();
    if (this.options.removeOnStop) await rm(this.options.clusterDir, { recursive: true, force: true });
  }

  /** The last lines of the server's log (DATA_DIR/postgres.log), for messages. */
  async logTail(lines = LOG_TAIL_LINES, fromByte = 0): Promise<string[]> {
    const text = await readFile(this.logFile, 'utf8').catch(() => '');
    return text.slice(fromByte).split('\n').filter((line) => line.trim() !== '').slice(-lines);
  }

  /**
   * Starts the server, first initialising the cluster when it has none. A restart passes
   * `initialise: false`: a cluster that vanished under a running server is lost data, to be reported,
   * never replaced by an empty one that would answer as if nothing had happened.
   */
  private async launch(options: { initialise: boolean } = { initialise: true }): Promise<void> {
    const attempt = (async () => {
      if (!existsSync(join(this.options.clusterDir, 'PG_VERSION'))) {
        if (!options.initialise) {
          throw new EmbeddedPostgresError(`its cluster ${this.options.clusterDir} is gone: restore it from a backup or export, or move DATA_DIR aside and start again`);
        }
        await this.initdb();
      }
      await this.spawnServer();
    })();
    this.launching = attempt;
    try {
      await attempt;
    } finally {
      this.launching = undefined;
    }
  }

  private async initdb(): Promise<void> {
    const { runtime, clusterDir, user, password } = this.options;
    this.log('info', `initialising a PostgreSQL cluster in ${clusterDir}`);
    // initdb reads the password from a file: one in a private folder, readable by the server's user only.
    const secretDir = await mkdtemp(join(tmpdir(), 'tthc-ledger-initdb-'));
    const pwfile = join(secretDir, 'password');
    try {
      await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
      if (runtime.runAs) {
        await chown(secretDir, runtime.runAs.uid, runtime.runAs.gid);
        await chown(pwfile, runtime.runAs.uid, runtime.runAs.gid);
      }
      const args = [
        `--pgdata=${clusterDir}`,
        `--username=${user}`,
        `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        // Code-point order whatever the machine's locale (PostgreSQL 17's builtin provider), as C.UTF-8 sorts.
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
        '--locale=C',
      ];
      const { code, tail } = await this.runLogged(join(runtime.binDir, 'initdb'), args);
      if (code !== 0) {
        throw new EmbeddedPostgresError(
          `initdb could not create the PostgreSQL cluster in ${clusterDir} (exit code ${code}): see the lines below and ${this.logFile}; remove that folder before trying again, or set DATABASE_URL.`,
          tail,
        );
      }
    } finally {
      await rm(secretDir, { recursive: true, force: true });
    }
  }

  /** Runs a program with its output appended to the log; resolves with its exit code and what it wrote. */
  private async runLogged(program: string, args: string[]): Promise<{ code: number | null; tail: string[] }> {
    const { fd, from } = await this.openLog(`${program.split('/').pop()} ${args.filter((a) => !a.startsWith('--pwfile')).join(' ')}`);
    const child = spawn(program, args, this.spawnOptions(fd));
    closeSync(fd);
    const code = await new Promise<number | null>((resolve) => {
      child.once('error', () => resolve(-1));
      child.once('exit', (exitCode) => resolve(exitCode));
    });
    return { code, tail: await this.logTail(LOG_TAIL_LINES, from) };
  }

  private async spawnServer(): Promise<void> {
    const { runtime, clusterDir, port, maxConnections } = this.options;
    const args = [
      '-D', clusterDir,
      '-p', String(port),
      '-c', 'listen_addresses=127.0.0.1',
      // TCP only: no socket or lock file in /tmp to collide with another server's.
      '-c', 'unix_socket_directories=',
      '-c', `max_connections=${maxConnections}`,
    ];
    const { fd, from } = await this.openLog(`postgres ${args.join(' ')}`);
    // Detached, in a process group of its own: a Ctrl-C meant for the api reaches the api, which
    // stops its work first and then the server (a fast shutdown), not both at once.
    const child = spawn(join(runtime.binDir, 'postgres'), args, { ...this.spawnOptions(fd), detached: true });
    closeSync(fd);
    child.unref();
    let exitedEarly = false;
    this.exited = new Promise((resolve) => {
      child.once('error', () => {
        exitedEarly = true;
        resolve();
      });
      child.once('exit', (code, signal) => {
        exitedEarly = true;
        resolve();
        if (this.child === child) {
          this.child = undefined;
          this.down(`exited (${signal ?? `exit code ${code}`})`);
        }
      });
    });
    const ready = child.pid !== undefined && (await this.waitReady(child.pid, () => !exitedEarly));
    if (!ready) {
      if (!exitedEarly) await terminate(child.pid!, () => !exitedEarly, this.exited);
      throw new EmbeddedPostgresError(
        `The embedded PostgreSQL did not start on 127.0.0.1:${port} (data in ${clusterDir}): its log's last lines are below (all of it in ${this.logFile}); if the port is taken, set EMBEDDED_POSTGRES_PORT, or set DATABASE_URL.`,
        await this.logTail(LOG_TAIL_LINES, from),
      );
    }
    this.child = child;
    this.adoptedPid = undefined;
    this.upSince = Date.now();
  }

  private spawnOptions(fd: number) {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_MESSAGES: 'C' };
    if (process.env.TZ) env.TZ = process.env.TZ; // nothing else of ours (secrets, DATABASE_URL) reaches the server
    const ids = this.options.runtime.runAs ? { uid: this.options.runtime.runAs.uid, gid: this.options.runtime.runAs.gid } : {};
    return { ...ids, env, cwd: this.options.clusterDir, stdio: ['ignore', fd, fd] as ['ignore', number, number] };
  }

  /** Opens the log for appending (owned by us: the server writes through the descriptor it inherits). */
  private async openLog(what: string): Promise<{ fd: number; from: number }> {
    const size = (await stat(this.logFile).catch(() => undefined))?.size ?? 0;
    if (size > LOG_ROTATE_BYTES) await rename(this.logFile, `${this.logFile}.1`);
    const fd = openSync(this.logFile, 'a', 0o640);
    const from = size > LOG_ROTATE_BYTES ? 0 : size;
    writeSync(fd, `--- ${new Date().toISOString()} tthc-ledger runs: ${what}\n`);
    return { fd, from };
  }

  /** Waits until postmaster.pid names `pid` and says `ready`; false if `alive()` turns false first or after a minute. */
  private async waitReady(pid: number, alive: () => boolean): Promise<boolean> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline && alive()) {
      const recorded = await readPostmasterPid(this.options.clusterDir);
      if (recorded?.pid === pid && recorded.status === 'ready') return true;
      await sleep(50);
    }
    return false;
  }

  private adopt(pid: number): void {
    this.child = undefined;
    this.adoptedPid = pid;
    this.upSince = Date.now();
    let gone: () => void = () => undefined;
    this.exited = new Promise((resolve) => (gone = resolve));
    // Not our child: no exit event; look at its data folder twice a second.
    this.watch = setInterval(async () => {
      if (this.adoptedPid !== pid || (await runningPostmaster(this.options.clusterDir))?.pid === pid) return;
      clearInterval(this.watch);
      this.adoptedPid = undefined;
      gone();
      this.down('exited');
    }, 500);
    this.watch.unref();
  }

  private down(what: string): void {
    if (this.stopping) return;
    const pidNote = `the embedded PostgreSQL ${what}`;
    if (!this.options.restart) {
      void this.logTail().then((tail) => this.log('error', `${pidNote}; its log's last lines:\n${tail.join('\n')}`));
      return;
    }
    if (Date.now() - this.upSince >= STABLE_MS) this.delayMs = FIRST_DELAY_MS;
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, MAX_DELAY_MS);
    void this.logTail().then((tail) =>
      this.log('error', `${pidNote}; database calls answer 503 until it is back; starting it again in ${delay / 1000} s. Its log's last lines (${this.logFile}):\n${tail.join('\n')}`),
    );
    this.restartTimer = setTimeout(() => void this.restartNow(), delay);
    this.restartTimer.unref();
  }

  private async restartNow(): Promise<void> {
    if (this.stopping) return;
    try {
      await this.launch({ initialise: false });
      this.log('info', `the embedded PostgreSQL is back on 127.0.0.1:${this.options.port} (pid ${this.pid})`);
    } catch (error) {
      const tail = error instanceof EmbeddedPostgresError && error.logTail.length ? `:\n${error.logTail.join('\n')}` : '';
      this.down(`could not be started again (${(error as Error).message})${tail}`);
    }
  }

  /** The pid of a live process other than this one that supervises this cluster, from DATA_DIR/postgres.supervisor. */
  private async liveSupervisor(): Promise<number | undefined> {
    const pid = await liveSupervisorOf(this.options.dataDir);
    return typeof pid === 'number' && pid !== process.pid ? pid : undefined;
  }

  private async writeRecord(): Promise<void> {
    const record = { pid: process.pid, startTime: await processStartTime(process.pid), server: this.pid, port: this.options.port };
    await writeFile(this.recordFile, `${JSON.stringify(record)}\n`);
  }

  private async removeRecord(): Promise<void> {
    const text = await readFile(this.recordFile, 'utf8').catch(() => undefined);
    if (text !== undefined && (JSON.parse(text) as { pid?: number }).pid === process.pid) await unlink(this.recordFile).catch(() => undefined);
  }
}

/**
 * The pid of the live process that supervises the embedded PostgreSQL of `dataDir`, from its record
 * DATA_DIR/postgres.supervisor (pid and start time, so that a reused pid is not taken for it);
 * undefined when there is no record or its process has ended ('none' if there is no record at all).
 */
export async function liveSupervisorOf(dataDir: string): Promise<number | undefined | 'none'> {
  const text = await readFile(join(dataDir, 'postgres.supervisor'), 'utf8').catch(() => undefined);
  if (text === undefined) return 'none';
  let record: { pid?: number; startTime?: string };
  try {
    record = JSON.parse(text);
  } catch {
    return undefined;
  }
  const pid = Number(record.pid);
  if (!isAlive(pid)) return undefined;
  const startTime = await processStartTime(pid);
  return startTime === undefined || startTime === record.startTime ? pid : undefined;
}

/** Whether something accepts TCP connections on 127.0.0.1:`port` (within a second). */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 1_000 });
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/**
 * Stops the postmaster `pid`: SIGINT (fast shutdown), then after 30 s SIGQUIT (immediate), then after
 * 5 s more SIGKILL; resolves when `alive()` is false (or `exited` settles, for a child of ours).
 */
export async function terminate(pid: number, alive: () => boolean, exited?: Promise<void>): Promise<void> {
  const steps: [NodeJS.Signals, number][] = [['SIGINT', 30_000], ['SIGQUIT', 5_000], ['SIGKILL', 5_000]];
  for (const [signal, waitMs] of steps) {
    if (!alive()) return;
    try {
      process.kill(pid, signal);
    } catch {
      return; // gone
    }
    const deadline = Date.now() + waitMs;
    while (alive() && Date.now() < deadline) await Promise.race([sleep(50), exited ?? new Promise(() => undefined)]);
  }
}
