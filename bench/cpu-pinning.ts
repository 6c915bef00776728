import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The pids whose parent is `pid` (from /proc/<p>/stat's fourth field). */
async function childrenOf(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) children.push(Number(entry));
  }
  return children;
}

/**
 * Pins a process, every thread of it, and its children as they are now to `cpu` (`taskset -a -p -c`,
 * i.e. sched_setaffinity). Processes it forks later inherit the affinity: pinning a postmaster pins
 * the backends it starts afterwards. Needs util-linux's `taskset`, and the right to change another
 * user's process (root, or CAP_SYS_NICE) when the server runs as another user.
 */
export async function pinProcessTree(pid: number, cpu: number): Promise<number> {
  let pinned = 0;
  const pending = [pid];
  while (pending.length > 0) {
    const next = pending.pop()!;
    const ok = await run('taskset', ['-a', '-p', '-c', String(cpu), String(next)]).then(() => true, () => false); // gone meanwhile
    if (ok) pinned++;
    pending.push(...(await childrenOf(next)));
  }
  return pinned;
}

/** The CPUs this process may run on (`taskset -p`'s list, expanded). */
export async function allowedCpus(pid = process.pid): Promise<number[]> {
  const { stdout } = await run('taskset', ['-c', '-p', String(pid)]);
  const list = stdout.slice(stdout.lastIndexOf(':') + 1).trim();
  return list.split(',').flatMap((part) => {
    const [from, to] = part.split('-').map(Number);
    return Array.from({ length: (to ?? from) - from + 1 }, (_, i) => from + i);
  });
}

/** Clock ticks per second of /proc's times (USER_HZ: 100 on Linux). */
const TICKS = 100;

/**
 * CPU seconds used so far by a process and its descendants alive now (utime + stime), plus what its
 * children that ended and were reaped used (cutime + cstime): for a postmaster, every backend's,
 * the WAL sender's, the replay's.
 */
export async function processTreeCpuSeconds(pid: number): Promise<number> {
  let ticks = 0;
  const pending = [pid];
  while (pending.length > 0) {
    const next = pending.pop()!;
    const stat = await readFile(`/proc/${next}/stat`, 'utf8').catch(() => '');
    if (!stat) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is the state (field 3)
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]); // utime stime cutime cstime
    pending.push(...(await childrenOf(next)));
  }
  return ticks / TICKS;
}
