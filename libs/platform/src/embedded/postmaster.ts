import { existsSync } from 'node:fs';
import { readFile, readlink, realpath } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What a cluster's `postmaster.pid` says (PostgreSQL's miscadmin.h, "LOCK_FILE_LINE_*"): the
 * server's pid, its data directory, its port and its status (`starting`, `ready`, `stopping`, …).
 */
export interface PostmasterPid {
  pid: number;
  dataDir: string;
  port: number;
  status: string;
}

export async function readPostmasterPid(clusterDir: string): Promise<PostmasterPid | undefined> {
  const text = await readFile(join(clusterDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return { pid, dataDir: lines[1] ?? '', port: Number(lines[3]) || 0, status: (lines[7] ?? '').trim() };
}

/** True when a process `pid` exists (owned by anyone). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

/**
 * The live server of `clusterDir`, told by its data folder and never by a process name: the pid in
 * its postmaster.pid is alive and (on Linux) works in that folder, as a postmaster does (it chdirs to
 * its data directory), so that a pid reused by another program after a crash is not taken for it.
 * Where /proc cannot say (another OS, or a process we may not inspect), the live pid is trusted, as
 * PostgreSQL itself trusts it.
 */
export async function runningPostmaster(clusterDir: string): Promise<PostmasterPid | undefined> {
  const recorded = await readPostmasterPid(clusterDir);
  if (!recorded || !isAlive(recorded.pid)) return undefined;
  if (!existsSync('/proc/self/cwd')) return recorded; // no /proc: trust the pid file
  let cwd: string;
  try {
    cwd = await readlink(`/proc/${recorded.pid}/cwd`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // exited meanwhile
    return recorded; // not ours to inspect: trust the pid file
  }
  const [a, b] = await Promise.all([realpath(cwd).catch(() => cwd), realpath(clusterDir).catch(() => clusterDir)]);
  return a === b ? recorded : undefined;
}

/** The start time of `pid` in clock ticks since boot (/proc/<pid>/stat, field 22), or undefined off Linux. */
export async function processStartTime(pid: number): Promise<string | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return undefined;
  // The command name (field 2) is in parentheses and may hold spaces: count from the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}
