import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's Chromium, which the browser tests drive through playwright-core (CHROMIUM_PATH moves it). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Chromium's flags here: as root it runs only without its sandbox, and the machine has no network,
 * so nothing of its own (component updates, sync, background requests) should try to reach one.
 */
export function chromiumArgs(): string[] {
  const root = process.getuid?.() === 0;
  return [...(root ? ['--no-sandbox'] : []), '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];
}

function aptGet(args: string[]): number | null {
  return spawnSync('apt-get', args, { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 900_000 }).status;
}

/**
 * The path of a Chromium to drive: CHROMIUM_PATH if it exists; else, as root, Debian's package is
 * installed first (`apt-get install -y chromium`, after `apt-get update` if the lists are stale);
 * otherwise an error that says how to install it.
 */
export function ensureChromium(): string {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  if (process.getuid?.() !== 0) {
    throw new Error(`The browser tests need Chromium at ${CHROMIUM_PATH}: install it as root with \`apt-get install -y chromium\` (or set CHROMIUM_PATH), then run them again.`);
  }
  if (aptGet(['install', '-y', '--no-install-recommends', 'chromium']) !== 0) {
    aptGet(['update']);
    aptGet(['install', '-y', '--no-install-recommends', 'chromium']);
  }
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`\`apt-get install -y chromium\` did not install ${CHROMIUM_PATH}: install it by hand as root, then run the browser tests again.`);
  return CHROMIUM_PATH;
}
