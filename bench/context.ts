import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import pg from 'pg';
import { ensureDatabaseExists, startEmbeddedPostgres } from '@tthc/platform';
import { machineReport, printMachine, type MachineReport } from './machine.js';

export interface BenchArgs {
  events?: number;
  concurrency?: number;
  json: boolean;
  fresh: boolean;
  duration?: number;
  iterations?: number;
  connections?: number;
  /** `--pin`: benchmarks that model two machines pin each side to a CPU of its own (replica). */
  pin: boolean;
  /** rebuild: `bulk` (default) or `live`, the rebuild's writer (RebuildOptions.writer). */
  writer?: 'bulk' | 'live';
  /** queries: concurrent single-event appenders while the queries run (0: none). */
  writers?: number;
  /** queries: the writers' total events/s (default: as fast as they go). */
  rate?: number;
}

export interface BenchContext {
  args: BenchArgs;
  machine: MachineReport;
  /** A database of this name on the bench server, created if missing (dropped first when `fresh`). */
  database(name: string, options?: { fresh?: boolean }): Promise<string>;
  log(line: string): void;
  close(): Promise<void>;
}

/**
 * The server benchmarks run on: DATABASE_URL's, or an embedded PostgreSQL kept under
 * `.data/bench` (so that the million-event log is written once and reused; `--fresh` rewrites it).
 */
export async function openBenchContext(args: BenchArgs): Promise<BenchContext> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  let serverUrl = process.env.DATABASE_URL;
  let stop = async () => undefined as void;
  if (!serverUrl) {
    const dataDir = resolve(process.env.BENCH_DATA_DIR ?? '.data/bench');
    await mkdir(dataDir, { recursive: true });
    const server = await startEmbeddedPostgres({
      dataDir,
      port: Number(process.env.BENCH_POSTGRES_PORT ?? 54339),
      persistent: true,
      database: 'postgres',
      reuseRunning: true,
      log: (level, message) => level !== 'info' && log(message),
    });
    serverUrl = server.url;
    stop = server.stop;
  }
  const admin = new pg.Pool({ connectionString: serverUrl, max: 1 });
  const machine = await machineReport(admin, !process.env.DATABASE_URL);
  printMachine(machine, log);
  return {
    args,
    machine,
    log,
    async database(name, options = {}) {
      if (options.fresh) await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      await ensureDatabaseExists(serverUrl!, name);
      const url = new URL(serverUrl!);
      url.pathname = `/${name}`;
      return url.toString();
    },
    async close() {
      await admin.end();
      await stop();
    },
  };
}

export function parseArgs(argv: string[]): { name: string | undefined; args: BenchArgs } {
  const [name, ...rest] = argv;
  const args: BenchArgs = { json: false, fresh: false, pin: false };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const number = () => {
      const value = Number(rest[++i]);
      if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag} needs a positive number`);
      return value;
    };
    switch (flag) {
      case '--json': args.json = true; break;
      case '--fresh': args.fresh = true; break;
      case '--pin': args.pin = true; break;
      case '--events': args.events = number(); break;
      case '--concurrency': args.concurrency = number(); break;
      case '--duration': args.duration = number(); break;
      case '--iterations': args.iterations = number(); break;
      case '--connections': args.connections = number(); break;
      case '--writer': {
        const value = rest[++i];
        if (value !== 'bulk' && value !== 'live') throw new Error('--writer needs bulk or live');
        args.writer = value;
        break;
      }
      case '--writers': args.writers = number(); break;
      case '--rate': args.rate = number(); break;
      default: throw new Error(`unknown option ${flag}`);
    }
  }
  return { name, args };
}
