import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { seedNational } from '@tthc/application';
import { EventStoreModule } from '@tthc/event-store';
import { DatabaseModule } from '@tthc/platform';
import { ReadModelsModule } from '../read-models.module.js';
import { createReadModelHarness, type ReadModelHarness } from '../testing/read-model-harness.js';
import { replaySnapshot, sleep, snapshotReadModels } from '../testing/read-model-test-kit.js';
import { dropAbandonedRebuildSchemas } from './rebuild-leftovers.js';
import { rebuildReadModels } from './rebuild.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CHILD = fileURLToPath(new URL('../testing/rebuild-child.mjs', import.meta.url));

describe('a rebuild killed half-way (SIGKILL of its process)', () => {
  let h: ReadModelHarness;
  const sideSchemas = async () =>
    (await h.dataSource.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'read\\_model\\_%' ORDER BY 1`)).map(
      (r: { nspname: string }) => r.nspname,
    );

  /** A rebuild process that stops for good at its 3rd read of the log, its side schema half built. */
  async function hangingRebuild(): Promise<{ child: ChildProcess; schema: string }> {
    const env = { ...process.env };
    delete env.NODE_OPTIONS; // jest's --experimental-vm-modules is not for the child
    const child = spawn(process.execPath, [CHILD, h.db.url, '40', '3'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    let schema = '';
    for await (const line of createInterface({ input: child.stdout! })) {
      schema = /^log building read models in schema (\S+)/.exec(line)?.[1] ?? schema;
      if (line.startsWith('hanging ')) break;
    }
    if (!schema) throw new Error(`the rebuild child did not start its rebuild: ${stderr}`);
    return { child, schema };
  }
  async function kill(child: ChildProcess) {
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
  /** The server learns of the dead client when its socket closes: a moment after the kill. */
  async function eventually(drop: () => Promise<string[]>, schema: string) {
    for (let attempt = 0; attempt < 50; attempt++) {
      if ((await drop()).includes(schema)) return;
      await sleep(100);
    }
    throw new Error(`${schema} was never dropped`);
  }

  beforeAll(async () => {
    h = await createReadModelHarness();
    await seedNational(h.store, { procedures: 2, years: 1, concurrency: 8 });
    await h.runner({ batchSize: 1000 }).catchUp();
    execSync('npx swc libs -d dist --quiet', { cwd: ROOT, stdio: 'pipe', timeout: 60_000 });
  }, 90_000);
  afterAll(() => h?.close());

  it('keeps the side schema of a rebuild still running in another process, and the next rebuild drops it once that process is killed', async () => {
    const { child, schema } = await hangingRebuild();
    try {
      expect(await sideSchemas()).toContain(schema);
      const tables = await h.dataSource.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1`, [schema]);
      expect(tables[0].n).toBeGreaterThan(0);

      // Alive: neither the clean-up nor another rebuild touches it.
      expect(await dropAbandonedRebuildSchemas(h.dataSource)).toEqual([]);
      await rebuildReadModels(h.dataSource, h.store, { batchSize: 1000 });
      expect(await sideSchemas()).toEqual([schema]);
    } finally {
      await kill(child);
    }

    const logged: string[] = [];
    await eventually(async () => {
      await rebuildReadModels(h.dataSource, h.store, { batchSize: 1000, log: (m) => logged.push(m) });
      return (await sideSchemas()).includes(schema) ? [] : [schema];
    }, schema);
    expect(await sideSchemas()).toEqual([]);
    expect(logged.some((m) => m.startsWith(`dropped ${schema} (`) && m.endsWith('left behind by a rebuild that did not finish'))).toBe(true);
    expect(await snapshotReadModels(h.dataSource)).toEqual(await replaySnapshot(h.dataSource, h.store, { batchSize: 1000 }));
  }, 60_000);

  it('is cleaned up when a process next opens the read models (ReadModelsModule, as the api, projector and cli start)', async () => {
    const { child, schema } = await hangingRebuild();
    await kill(child);

    @Module({})
    class Probe {}
    const url = h.db.url;
    const open = async () => {
      const app = await NestFactory.createApplicationContext(
        {
          module: Probe,
          imports: [
            CqrsModule.forRoot(),
            DatabaseModule.forRoot({ url }),
            EventStoreModule.forRoot({ kind: 'postgres' }),
            ReadModelsModule.forRoot({ databaseUrl: url, runProjector: false }),
          ],
        },
        { logger: false },
      );
      await app.close();
      return (await sideSchemas()).includes(schema) ? [] : [schema];
    };
    await eventually(open, schema);
    expect(await sideSchemas()).toEqual([]);
  }, 60_000);
});
