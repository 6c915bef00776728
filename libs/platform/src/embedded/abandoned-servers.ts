import { readdir, realpath, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isAlive, runningPostmaster } from './postmaster.js';
import { liveSupervisorOf, terminate } from './postgres-supervisor.js';

/** A folder with no supervisor record is someone's start in progress until it is this old. */
const UNRECORDED_GRACE_MS = 60 * 60 * 1000;

/**
 * Stops and removes throw-away embedded servers that a killed run left behind: each folder of
 * `parentDir` whose name starts with `prefix` (e.g. `tthc-ledger-test-` in the temporary folder)
 * whose supervising process has ended (its record DATA_DIR/postgres.supervisor names a dead process;
 * or it has no record and is over an hour old). A run that is alive is left alone. Its postmaster,
 * if still running, gets a fast shutdown; then the folder goes, with a cluster kept elsewhere for
 * root (DATA_DIR/postgres is a link, clusterDirectory()).
 *
 * @returns the DATA_DIRs removed.
 */
export async function removeAbandonedServers(parentDir: string, prefix: string): Promise<string[]> {
  const names = await readdir(parentDir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names.filter((n) => n.startsWith(prefix))) {
    const dataDir = join(parentDir, name);
    const supervisor = await liveSupervisorOf(dataDir);
    if (typeof supervisor === 'number') continue;
    if (supervisor === 'none') {
      const info = await stat(dataDir).catch(() => undefined);
      if (!info || Date.now() - info.mtimeMs < UNRECORDED_GRACE_MS) continue;
    }
    const linked = join(dataDir, 'postgres');
    const clusterDir = await realpath(linked).catch(() => linked);
    const running = await runningPostmaster(clusterDir);
    if (running) await terminate(running.pid, () => isAlive(running.pid));
    if (clusterDir !== linked) await rm(dirname(clusterDir), { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
    removed.push(dataDir);
  }
  return removed;
}
