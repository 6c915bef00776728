import { existsSync } from 'node:fs';
import { appendFile, chmod, chown, copyFile, lstat, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { clusterDirectory } from './cluster-location.js';
import { EmbeddedPostgresError } from './embedded-postgres.error.js';
import { preparePostgresRuntime, type RunAs } from './postgres-runtime.js';
import { PostgresSupervisor, type SupervisorLog } from './postgres-supervisor.js';

/**
 * What a base backup leaves out of the copy (PostgreSQL's "Making a Base Backup Using the Low Level
 * API": the server's own run files, WAL, and folders rebuilt at start-up). Their folders are kept, empty.
 */
const LEFT_OUT_FILES = new Set(['postmaster.pid', 'postmaster.opts', 'backup_label', 'tablespace_map', 'standby.signal', 'recovery.signal']);
const EMPTIED_FOLDERS = new Set(['pg_wal', 'pg_replslot', 'pg_stat_tmp', 'pg_dynshmem', 'pg_notify', 'pg_serial', 'pg_snapshots', 'pg_subtrans']);

export interface StreamingReplicaOptions {
  /** A superuser URL of the primary (the embedded server's own url will do). */
  primaryUrl: string;
  /** The primary's cluster folder (its supervisor's `clusterDir`): a base backup is a copy of its files. */
  primaryClusterDir: string;
  /** The replica's DATA_DIR (its cluster in `dataDir/postgres`, its log `dataDir/postgres.log`) and port. */
  dataDir: string;
  port: number;
  /** The physical replication slot on the primary (default `tthc_replica`): WAL is kept until the replica has it. */
  slot?: string;
  /** max_connections: a hot standby needs at least the primary's (default 200, as startEmbeddedPostgres). */
  maxConnections?: number;
  restart?: boolean;
  /** Keep the cluster when stopped (false: removed, for throw-away test servers). */
  persistent?: boolean;
  nativeDir?: string;
  log?: SupervisorLog;
}

export interface StreamingReplica {
  /** The replica's URL: the primary's, on the replica's port. */
  url: string;
  port: number;
  supervisor: PostgresSupervisor;
  stop(): Promise<void>;
  /** Ends recovery (`pg_promote`): the replica becomes a primary of its own, and leaves its slot on the old primary unused. */
  promote(): Promise<void>;
}

/**
 * A hot-standby streaming replica of an embedded primary, from the same `@embedded-postgres` binaries,
 * which ship `initdb`, `pg_ctl` and `postgres` but no `pg_basebackup`. The first start makes a base
 * backup with the low-level API: a physical replication slot on the primary (so that the WAL from the
 * backup's start is kept), `pg_backup_start`, a copy of the primary's files (run files, WAL and
 * transient folders left out), `pg_backup_stop` whose label is written as `backup_label`; then
 * `standby.signal`, and `primary_conninfo`, `primary_slot_name` and `hot_standby_feedback` in
 * `postgresql.auto.conf`. The replica replays from the backup's start, streaming from the slot. Later
 * starts (its cluster exists) just start it. Needs the primary's files on this machine, and the
 * primary's default `wal_level=replica` and replication entries of initdb's pg_hba.conf.
 */
export async function startStreamingReplica(options: StreamingReplicaOptions): Promise<StreamingReplica> {
  const log = options.log ?? (() => undefined);
  const slot = options.slot ?? 'tthc_replica';
  const runtime = await preparePostgresRuntime({ nativeDir: options.nativeDir, log: (message) => log('info', message) });
  const { clusterDir } = await clusterDirectory(options.dataDir, runtime);
  const primary = new URL(options.primaryUrl);
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    log('info', `making a base backup of ${options.primaryClusterDir} into ${clusterDir} (slot ${slot})`);
    await baseBackup(options.primaryUrl, options.primaryClusterDir, clusterDir, slot, runtime.runAs);
    const conninfo = [
      `host=${primary.hostname}`,
      `port=${primary.port || 5432}`,
      `user=${decodeURIComponent(primary.username)}`,
      `password=${decodeURIComponent(primary.password)}`,
      `application_name=${slot}`,
    ].join(' ');
    await appendFile(
      join(clusterDir, 'postgresql.auto.conf'),
      `primary_conninfo = '${conninfo.replace(/'/g, "''")}'\nprimary_slot_name = '${slot}'\nhot_standby = on\nhot_standby_feedback = on\n`,
    );
    await writeFile(join(clusterDir, 'standby.signal'), '');
    if (runtime.runAs) await chown(join(clusterDir, 'standby.signal'), runtime.runAs.uid, runtime.runAs.gid);
  }
  const supervisor = new PostgresSupervisor({
    runtime,
    clusterDir,
    dataDir: options.dataDir,
    port: options.port,
    user: decodeURIComponent(primary.username),
    password: decodeURIComponent(primary.password),
    maxConnections: options.maxConnections ?? 200,
    restart: options.restart ?? false,
    removeOnStop: !(options.persistent ?? true),
    log,
  });
  // A hot standby says `ready` in postmaster.pid once it accepts read-only connections.
  await supervisor.start();
  const url = new URL(options.primaryUrl);
  url.port = String(options.port);
  return {
    url: url.toString(),
    port: options.port,
    supervisor,
    stop: () => supervisor.stop(),
    async promote() {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        const { rows } = await client.query('SELECT pg_promote(true, 60) AS promoted');
        if (rows[0].promoted !== true) throw new EmbeddedPostgresError(`The replica on port ${options.port} was not promoted within 60 s: see ${supervisor.logFile}.`);
      } finally {
        await client.end();
      }
    },
  };
}

/** The low-level base backup: slot, pg_backup_start, file copy, pg_backup_stop, backup_label. */
async function baseBackup(primaryUrl: string, from: string, to: string, slot: string, runAs: RunAs | undefined): Promise<void> {
  const client = new pg.Client({ connectionString: primaryUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    if (!rowCount) await client.query('SELECT pg_create_physical_replication_slot($1, true)', [slot]);
    // The backup is this session's: it must stay open until pg_backup_stop.
    await client.query('SELECT pg_backup_start($1, true)', [`tthc-ledger replica ${slot}`]);
    try {
      await mkdir(to, { recursive: true, mode: 0o700 });
      await copyCluster(from, to, runAs, true);
      await chmod(to, 0o700);
      if (runAs) await chown(to, runAs.uid, runAs.gid);
    } finally {
      const { rows } = await client.query('SELECT labelfile, spcmapfile FROM pg_backup_stop(true)');
      await writeOwned(join(to, 'backup_label'), rows[0].labelfile, runAs);
      if (rows[0].spcmapfile) await writeOwned(join(to, 'tablespace_map'), rows[0].spcmapfile, runAs);
    }
  } catch (error) {
    throw new EmbeddedPostgresError(`Could not make a base backup of the primary for a replica (${(error as Error).message}).`, [], { cause: error });
  } finally {
    await client.end();
  }
}

/** Copies a live cluster's files; a file removed while copying (a dropped table, a temporary file) is skipped. */
async function copyCluster(from: string, to: string, runAs: RunAs | undefined, top: boolean): Promise<void> {
  for (const entry of await readdir(from, { withFileTypes: true }).catch(() => [])) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (top && LEFT_OUT_FILES.has(entry.name)) continue;
    if (entry.isDirectory()) {
      await mkdir(target, { mode: 0o700 });
      if (runAs) await chown(target, runAs.uid, runAs.gid);
      if (top && EMPTIED_FOLDERS.has(entry.name)) {
        if (entry.name === 'pg_wal') await mkdir(join(target, 'archive_status'), { mode: 0o700 }).then(() => runAs && chown(join(target, 'archive_status'), runAs.uid, runAs.gid));
        continue;
      }
      await copyCluster(source, target, runAs, false);
    } else if (entry.isFile()) {
      try {
        await copyFile(source, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      const mode = (await lstat(source).catch(() => undefined))?.mode ?? 0o600;
      await chmod(target, mode & 0o777);
      if (runAs) await chown(target, runAs.uid, runAs.gid);
    }
  }
}

async function writeOwned(path: string, text: string, runAs: RunAs | undefined): Promise<void> {
  await writeFile(path, text, { mode: 0o600 });
  if (runAs) await chown(path, runAs.uid, runAs.gid);
}
