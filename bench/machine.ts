import { cpus, freemem, platform, release, totalmem } from 'node:os';
import type pg from 'pg';

export interface MachineReport {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  postgres: string;
  postgresSettings: Record<string, string>;
  database: 'embedded' | 'DATABASE_URL';
}

const SETTINGS = ['shared_buffers', 'fsync', 'synchronous_commit', 'wal_level', 'max_wal_size', 'work_mem', 'max_connections'];

/** What the figures were measured on: every benchmark prints it (BENCHMARKS.md quotes it). */
export async function machineReport(pool: pg.Pool, embedded: boolean): Promise<MachineReport> {
  const version = (await pool.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
  const { rows } = await pool.query<{ name: string; setting: string; unit: string | null }>(
    'SELECT name, setting, unit FROM pg_settings WHERE name = ANY ($1)',
    [SETTINGS],
  );
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${platform()} ${release()}`,
    node: process.version,
    postgres: version,
    postgresSettings: Object.fromEntries(rows.map((r) => [r.name, r.unit ? `${r.setting} ${r.unit}` : r.setting])),
    database: embedded ? 'embedded' : 'DATABASE_URL',
  };
}

export function printMachine(m: MachineReport, out: (line: string) => void): void {
  out(`machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB (${(freemem() / 2 ** 30).toFixed(1)} GiB free), ${m.os}`);
  out(`node ${m.node}; PostgreSQL ${m.postgres} (${m.database}); ${Object.entries(m.postgresSettings).map(([k, v]) => `${k}=${v}`).join(', ')}`);
}
