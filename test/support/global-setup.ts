// Jest loads global setup through require() with its transform but without the tests' moduleNameMapper,
// so TypeScript's `./x.js` specifiers would not find `./x.ts`: map them as the tests' mapper does,
// then load the same code `npm start` uses to run the embedded PostgreSQL.
import Module from 'node:module';
import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Resolve = (request: string, ...rest: unknown[]) => string;
const loader = Module as unknown as { _resolveFilename: Resolve };
const resolveFilename = loader._resolveFilename;
loader._resolveFilename = function (request, ...rest) {
  try {
    return resolveFilename.call(this, request, ...rest);
  } catch (error) {
    if (!/^\.{1,2}\/.*\.js$/.test(request)) throw error;
    return resolveFilename.call(this, request.replace(/\.js$/, '.ts'), ...rest);
  }
};

/**
 * One PostgreSQL server for the whole run: the one in DATABASE_URL, or a throw-away embedded one
 * started by startEmbeddedPostgres, as `npm start` starts its own (so it works wherever the checkout
 * is, see README "Operations"). Each test file creates a database of its own on it
 * (test/support/test-database.ts).
 */
export default async function globalSetup(): Promise<void> {
  process.env.NODE_ENV = 'test';
  const { startEmbeddedPostgres, EmbeddedPostgresError, removeAbandonedServers } = await import('../../libs/platform/src/embedded-database.js');
  // A run killed before its teardown (Ctrl-C twice, a CI timeout) leaves its throw-away servers
  // running: the next run stops them and removes their folders (never those of a run still alive).
  const parent = process.env.TEST_DATA_DIR ?? tmpdir();
  for (const prefix of ['tthc-ledger-test-', 'tthc-ledger-faults-']) {
    for (const dataDir of await removeAbandonedServers(parent, prefix)) console.log(`\nremoved the test server left behind by a run that ended early: ${dataDir}`);
  }
  if (process.env.DATABASE_URL) {
    console.log(`\ntests use the PostgreSQL server of DATABASE_URL`);
    return;
  }
  const { freePort } = await import('./free-port.js');
  const dataDir = await mkdtemp(join(parent, 'tthc-ledger-test-'));
  // mkdtemp makes it 0700; opened to other users (it is ours) so that, as root, the server's user
  // `postgres` keeps the throw-away cluster in it rather than in a root-owned folder elsewhere.
  await chmod(dataDir, 0o755);
  const port = await freePort();
  try {
    const server = await startEmbeddedPostgres({ dataDir, port, persistent: false, database: 'postgres', maxConnections: 300 });
    process.env.DATABASE_URL = server.url;
    (globalThis as { __embeddedPostgres?: typeof server }).__embeddedPostgres = server;
  } catch (error) {
    if (!(error instanceof EmbeddedPostgresError)) throw error;
    // One sentence, and the server's last lines, rather than a stack.
    console.error(`\n${error.message}\n${error.logTail.join('\n')}`);
    process.exit(1);
  }
  console.log(`\ntests use an embedded PostgreSQL on 127.0.0.1:${port} (${dataDir})`);
}
