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

/**
 * CPU seconds used so far by a local PostgreSQL server: its postmaster, its live backends and the
 * backends it has reaped (Linux /proc, clock ticks of 1/100 s). `pid` is any backend's
 * (`SELECT pg_backend_pid()`). Undefined when /proc cannot tell (another OS, a remote server).
 */
export async function postgresCpuSeconds(pid: number): Promise<number | undefined> {
  const { readFile, readdir } = await import('node:fs/promises');
  const stat = async (p: number | string) => {
    const text = await readFile(`/proc/${p}/stat`, 'utf8').catch(() => undefined);
    if (!text) return undefined;
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' '); // fields from the 3rd on
    return { ppid: Number(fields[1]), own: Number(fields[11]) + Number(fields[12]), reaped: Number(fields[13]) + Number(fields[14]) };
  };
  const backend = await stat(pid);
  if (!backend) return undefined;
  const postmaster = backend.ppid;
  const root = await stat(postmaster);
  if (!root) return undefined;
  let ticks = root.own + root.reaped;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = await stat(entry);
    if (s && s.ppid === postmaster) ticks += s.own;
  }
  return ticks / 100;
}
