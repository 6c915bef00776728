import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, cp, lstat, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { EmbeddedPostgresError } from './embedded-postgres.error.js';

const run = promisify(execFile);

/** The user the server runs as: a system user when we are root (PostgreSQL refuses to run as root). */
export interface RunAs {
  name: string;
  uid: number;
  gid: number;
}

/** Where the PostgreSQL programs are and whom they run as. */
export interface PostgresRuntime {
  /** Folder holding `initdb` and `postgres` (their `lib` and `share` are beside it). */
  binDir: string;
  /** Version of the binaries package, e.g. `18.4.0-beta.17`. */
  version: string;
  /** Undefined: the current user. */
  runAs: RunAs | undefined;
}

/**
 * Root-owned folders for what the `postgres` user must reach when the checkout or DATA_DIR is in a
 * folder it cannot enter: the standard places first, the temporary folder where /var is read-only.
 */
export const ROOT_CACHE_DIRS = ['/var/cache/tthc-ledger', join(tmpdir(), 'tthc-ledger-cache')];

/**
 * Finds the PostgreSQL binaries of the `@embedded-postgres/<os>-<arch>` package (or those in
 * `nativeDir`, a folder laid out as the package's `native/`), and the user to run them as.
 *
 * - Not root: the current user runs everything, from where the package is; no other user is needed.
 * - Root: PostgreSQL refuses to run as root, so the server runs as the system user `postgres`
 *   (created with useradd when missing, as embedded-postgres did). That user must be able to execute
 *   the binaries: when the checkout sits in a folder it cannot enter (a clone under /root, or under
 *   `mktemp -d`, both mode 0700), the `native/` folder is copied once into a root-owned, world-readable
 *   cache keyed by the package's version (ROOT_CACHE_DIRS), made atomically (copied beside, then
 *   renamed) and only used when it is root's and writable by no one else.
 *
 * Throws EmbeddedPostgresError (one sentence saying what to do) where this cannot work.
 */
export async function preparePostgresRuntime(options: { nativeDir?: string; log?: (message: string) => void } = {}): Promise<PostgresRuntime> {
  const log = options.log ?? (() => undefined);
  const nativeDir = options.nativeDir ?? (await packageNativeDir());
  const version = await packageVersion(nativeDir);
  const binDir = join(nativeDir, 'bin');
  if (process.getuid?.() !== 0) return { binDir, version, runAs: undefined };

  const runAs = await postgresUser();
  if (await canRun(join(binDir, 'postgres'), runAs)) return { binDir, version, runAs };
  const staged = await stageBinaries(nativeDir, version);
  if (!(await canRun(join(staged, 'bin', 'postgres'), runAs))) {
    throw new EmbeddedPostgresError(
      `The user postgres cannot run the PostgreSQL binaries even from ${staged}: make that folder readable by it, run as a user other than root, or set DATABASE_URL.`,
    );
  }
  log(`the user postgres cannot enter ${nativeDir}: running PostgreSQL from a copy in ${staged}`);
  return { binDir: join(staged, 'bin'), version, runAs };
}

/** The package's `native/` folder, found through its entry point (which exports the binaries' paths). */
async function packageNativeDir(): Promise<string> {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${os}-${process.arch}`;
  let binaries: { postgres?: string };
  try {
    binaries = await import(name);
  } catch (error) {
    throw new EmbeddedPostgresError(`No PostgreSQL binaries for ${os}-${process.arch}: run npm ci (it installs ${name}), or set DATABASE_URL.`, [], { cause: error });
  }
  return dirname(dirname(binaries.postgres!));
}

async function packageVersion(nativeDir: string): Promise<string> {
  const manifest = await readFile(join(nativeDir, '..', 'package.json'), 'utf8').catch(() => undefined);
  if (manifest === undefined) {
    if (!existsSync(join(nativeDir, 'bin', 'postgres'))) throw new EmbeddedPostgresError(`There is no PostgreSQL in ${nativeDir}: run npm ci, or set DATABASE_URL.`);
    return 'unknown';
  }
  return (JSON.parse(manifest) as { version: string }).version;
}

async function postgresUser(): Promise<RunAs> {
  const lookup = async (): Promise<RunAs | undefined> => {
    try {
      const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
      return { name: 'postgres', uid: Number(uid.stdout), gid: Number(gid.stdout) };
    } catch {
      return undefined;
    }
  };
  const found = await lookup();
  if (found) return found;
  try {
    await run('groupadd', ['--system', 'postgres']).catch(() => undefined); // may exist without the user
    await run('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
  } catch (error) {
    throw new EmbeddedPostgresError(
      'Running as root, the embedded PostgreSQL needs a system user postgres and could not create one: create it (useradd --system postgres), run as another user, or set DATABASE_URL.',
      [],
      { cause: error },
    );
  }
  const created = await lookup();
  if (!created) throw new EmbeddedPostgresError('The user postgres was created but cannot be found: check /etc/passwd, or set DATABASE_URL.');
  return created;
}

/** Whether `runAs` can execute `program` (`--version`): the kernel's answer, ACLs and all. */
export function canRun(program: string, runAs: RunAs): Promise<boolean> {
  return succeeds(program, ['--version'], runAs);
}

/** Whether `runAs` can enter `folder` (every parent searchable), asked of the kernel through `sh -c cd`. */
export function canEnter(folder: string, runAs: RunAs): Promise<boolean> {
  // Not spawn's `cwd`: libuv changes directory before it drops to the user's ids.
  return succeeds('/bin/sh', ['-c', 'cd -- "$1"', 'sh', folder], runAs);
}

function succeeds(program: string, args: string[], runAs: RunAs): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { uid: runAs.uid, gid: runAs.gid, stdio: 'ignore', env: { PATH: '/usr/bin:/bin' } });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}

/** The cached copy of `nativeDir` for this version, made if missing; returns its folder. */
async function stageBinaries(nativeDir: string, version: string): Promise<string> {
  const name = `postgres-${version}-${process.platform}-${process.arch}`;
  let lastError: unknown;
  for (const cache of ROOT_CACHE_DIRS) {
    try {
      await mkdir(cache, { recursive: true, mode: 0o755 });
      await assertRootOwned(cache);
      const target = join(cache, name);
      if (!existsSync(join(target, 'bin', 'postgres'))) {
        const staging = join(cache, `.staging-${process.pid}-${randomBytes(4).toString('hex')}`);
        await cp(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
        await chmod(staging, 0o755);
        // Whoever renames first wins; a loser (the target exists by then) drops its copy.
        await rename(staging, target).catch(async (error: NodeJS.ErrnoException) => {
          await rm(staging, { recursive: true, force: true });
          if (!['ENOTEMPTY', 'EEXIST'].includes(error.code ?? '')) throw error;
        });
      }
      await assertRootOwned(target);
      return target;
    } catch (error) {
      lastError = error;
    }
  }
  throw new EmbeddedPostgresError(
    `The user postgres cannot enter ${nativeDir} and no copy could be made in ${ROOT_CACHE_DIRS.join(' or ')} (${(lastError as Error).message}): move the checkout to a folder it can enter, run as a user other than root, or set DATABASE_URL.`,
    [],
    { cause: lastError },
  );
}

/** Refuses a folder another user could have planted or could change: programs run from it. */
export async function assertRootOwned(path: string): Promise<void> {
  const stat = await lstat(path);
  if (!stat.isDirectory() || stat.uid !== 0 || (stat.mode & 0o022) !== 0) {
    throw new Error(`${path} is not a folder owned by root and writable by root only`);
  }
}
