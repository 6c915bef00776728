// Builds the dashboard into dist/dashboard with Vite, unless that build is newer than every source
// (apps/dashboard/*, package-lock.json): `npm start` and the e2e test call it, and an unchanged
// dashboard costs them a directory walk, not a build. `--force` builds anyway.
import { existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const out = join(root, 'dist', 'dashboard');
const stamp = join(out, '.built');

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

export async function buildDashboard({ force = false } = {}) {
  const sources = Math.max(newest(join(here, 'src')), newest(join(here, 'index.html')), newest(join(here, 'vite.config.ts')), newest(join(here, 'build.mjs')), newest(join(root, 'package-lock.json')));
  if (!force && existsSync(stamp) && statSync(stamp).mtimeMs >= sources) return { built: false, out };
  const { build } = await import('vite');
  // Built aside, then swapped in, so that an api serving dist/dashboard never reads a half-written build.
  const aside = join(root, 'dist', `.dashboard-${process.pid}-${Date.now()}`);
  try {
    await build({ configFile: join(here, 'vite.config.ts'), build: { outDir: aside, emptyOutDir: true } });
    writeFileSync(join(aside, '.built'), new Date().toISOString());
    rmSync(out, { recursive: true, force: true });
    renameSync(aside, out);
  } finally {
    rmSync(aside, { recursive: true, force: true });
  }
  return { built: true, out };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  const { built } = await buildDashboard({ force: process.argv.includes('--force') });
  if (built) process.stdout.write(`dashboard built into dist/dashboard in ${Date.now() - started} ms\n`);
}
