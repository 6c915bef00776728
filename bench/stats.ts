/** Latency percentiles (nearest rank) in milliseconds. */
export function percentiles(samplesMs: number[]): { p50: number; p95: number; p99: number; max: number; n: number } {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return { p50: round(at(50)), p95: round(at(95)), p99: round(at(99)), max: round(sorted[sorted.length - 1] ?? 0), n: sorted.length };
}

export function perSecond(count: number, millis: number): number {
  return Math.round(count / (millis / 1000));
}

/** Peak resident set size, sampled every 50 ms while `work` runs. */
export async function withPeakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakRssMiB: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peakRssMiB: Math.round(peak / 2 ** 20) };
  } finally {
    clearInterval(timer);
  }
}

/** Runs `task(i)` for i in [0, count) with `concurrency` in flight. */
export async function runConcurrently(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

const procStat = async (pid: number | string) => {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!text) return undefined;
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' '); // from the 3rd field on
  return { ppid: Number(fields[1]), own: Number(fields[11]) + Number(fields[12]), reaped: Number(fields[13]) + Number(fields[14]) };
};

/** The postmaster of a local PostgreSQL server, from one of its backends' pid (`SELECT pg_backend_pid()`). */
export async function postmasterPid(backendPid: number): Promise<number | undefined> {
  return (await procStat(backendPid))?.ppid;
}

/**
 * CPU seconds used so far by a local PostgreSQL server: its postmaster, its live processes and those
 * it has reaped (Linux /proc, clock ticks of 1/100 s). Undefined when /proc cannot tell.
 */
export async function postgresCpuSeconds(postmaster: number | undefined): Promise<number | undefined> {
  if (postmaster === undefined) return undefined;
  const { readdir } = await import('node:fs/promises');
  const root = await procStat(postmaster);
  if (!root) return undefined;
  let ticks = root.own + root.reaped;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = await procStat(entry);
    if (s && s.ppid === postmaster) ticks += s.own;
  }
  return ticks / 100;
}
