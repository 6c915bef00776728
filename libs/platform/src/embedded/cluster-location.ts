import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, lstat, mkdir, readlink, realpath, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { EmbeddedPostgresError } from './embedded-postgres.error.js';
import { assertRootOwned, canEnter, type PostgresRuntime } from './postgres-runtime.js';

/** Root-owned folders for clusters whose DATA_DIR the `postgres` user cannot enter (see clusterDirectory). */
export const ROOT_CLUSTER_DIRS = ['/var/lib/tthc-ledger/clusters'];

/**
 * The folder of the PostgreSQL cluster of `dataDir`, created and owned by the user the server runs as.
 *
 * Normally `dataDir/postgres`. When root runs the server as `postgres` and that user cannot enter
 * `dataDir` (it lies under a 0700 folder such as /root or a `mktemp -d`), the cluster is kept in a
 * root-owned folder the user can reach, one per DATA_DIR (ROOT_CLUSTER_DIRS/<sha256 of dataDir's
 * realpath, 16 hex>/postgres), and `dataDir/postgres` is made a symbolic link to it, so that the
 * data is found from DATA_DIR and the same DATA_DIR always finds the same cluster. Changing a parent
 * folder's mode was the other way, rejected: it would open the operator's home folder to every user.
 * `moved` is then set, for the log.
 */
export async function clusterDirectory(dataDir: string, runtime: PostgresRuntime): Promise<{ clusterDir: string; moved: boolean }> {
  await mkdir(dataDir, { recursive: true });
  const inPlace = join(dataDir, 'postgres');
  const runAs = runtime.runAs;
  if (!runAs || (await canEnter(dataDir, runAs))) {
    await own(inPlace, runtime);
    return { clusterDir: await realpath(inPlace), moved: false };
  }
  const link = await lstat(inPlace).catch(() => undefined);
  if (link && !link.isSymbolicLink()) {
    throw new EmbeddedPostgresError(
      `The user postgres cannot enter ${dataDir}, where the cluster ${inPlace} is: move DATA_DIR to a folder it can enter (its parents need o+x), or set DATABASE_URL.`,
    );
  }
  if (link) {
    // Made by an earlier start: the cluster stays where the link says, even if DATA_DIR has moved.
    const target = await realpath(inPlace).catch(() => undefined);
    if (target && (await canEnter(target, runAs))) return { clusterDir: target, moved: true };
    throw new EmbeddedPostgresError(
      `${inPlace} links to a cluster folder the user postgres cannot enter (${await readlink(inPlace)}): fix or remove the link (removing it starts an empty cluster), or set DATABASE_URL.`,
    );
  }
  const key = createHash('sha256').update(await realpath(dataDir)).digest('hex').slice(0, 16);
  for (const root of ROOT_CLUSTER_DIRS) {
    const home = join(root, key);
    try {
      await mkdir(home, { recursive: true, mode: 0o755 });
      await assertRootOwned(home);
    } catch {
      continue;
    }
    const clusterDir = join(home, 'postgres');
    await own(clusterDir, runtime);
    if (!(await canEnter(clusterDir, runAs))) continue;
    await symlink(clusterDir, inPlace);
    return { clusterDir, moved: true };
  }
  throw new EmbeddedPostgresError(
    `The user postgres cannot enter ${dataDir} and there is no folder it can reach in ${ROOT_CLUSTER_DIRS.join(', ')}: set DATA_DIR to a folder it can enter, or set DATABASE_URL.`,
  );
}

/** Creates `clusterDir` (0700, as initdb wants it) for the user the server runs as. */
async function own(clusterDir: string, runtime: PostgresRuntime): Promise<void> {
  await mkdir(clusterDir, { recursive: true, mode: 0o700 });
  if (runtime.runAs && !existsSync(join(clusterDir, 'PG_VERSION'))) {
    await chown(clusterDir, runtime.runAs.uid, runtime.runAs.gid);
    await chmod(clusterDir, 0o700);
  }
}
