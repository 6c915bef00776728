import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';

export default async function globalTeardown() {
  const server = globalThis.__embeddedPostgres;
  if (!server) return;
  await server.stop(); // removes the cluster (persistent: false)
  await rm(dirname(server.supervisor.logFile), { recursive: true, force: true }); // DATA_DIR: its log
}
