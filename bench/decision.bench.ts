import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { mintToken } from '@tthc/platform';
import { createApp } from '../apps/api/src/create-app.js';
import type { BenchContext } from './context.js';
import { percentiles } from './stats.js';

const AUTHORITY = '79';
const code = (i: number) => `9.${String(i).padStart(6, '0')}`;

/**
 * 6. decision: a 2,000-item decision (--items) over HTTP, from the request to committed (the 201),
 * and to visible in the authority's summary (the read models caught up with its last event). One
 * decision registers the procedures; then --iterations decisions each reclassify all of them,
 * alternating PARTIAL and FULL_PROCESS, sent as a CSV annex.
 */
export async function decisionBench(ctx: BenchContext) {
  const secret = randomBytes(48).toString('base64url');
  process.env.AUTH_JWT_SECRET = secret;
  const url = await ctx.database('tthc_bench_decision', { fresh: true });
  const app = await createApp({ databaseUrl: url, logLevel: 'silent', rateLimit: { limit: 1_000_000_000 } });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const token = await mintToken({ secret, subject: 'bench', roles: ['administrator'], authorities: ['*'], expiresIn: '1h' });
  const base = `http://127.0.0.1:${port}/api/authorities/${AUTHORITY}`;
  const items = ctx.args.events ?? 2000;
  const iterations = ctx.args.iterations ?? 5;
  try {
    const send = async (body: string, contentType: string, query = '') => {
      const res = await fetch(`${base}/decisions${query}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body });
      const reply = (await res.json()) as { globalPosition: number; items: { events: { globalPosition: number }[] }[] };
      if (res.status !== 201) throw new Error(`decision answered ${res.status}: ${JSON.stringify(reply).slice(0, 300)}`);
      return Math.max(reply.globalPosition, ...reply.items.flatMap((i) => i.events.map((e) => e.globalPosition)));
    };
    const visible = async (position: number, at: string) => {
      const res = await fetch(`${base}/summary?at=${at}&afterPosition=${position}`, { headers: { authorization: `Bearer ${token}` } });
      if (res.status !== 200) throw new Error(`summary answered ${res.status}`);
    };

    const registration = JSON.stringify({
      number: '1/QĐ-UBND',
      issuedOn: '2025-07-01',
      effectiveFrom: '2025-07-01',
      items: Array.from({ length: items }, (_, i) => ({ procedureCode: code(i), action: 'register', name: `Thủ tục đo tải ${i} (dữ liệu tổng hợp)`, onlineMode: 'PARTIAL' })),
    });
    let started = performance.now();
    await visible(await send(registration, 'application/json'), '2025-07-01');
    ctx.log(`register ${items} procedures by one decision (JSON): ${Math.round(performance.now() - started)} ms to visible`);

    const committedMs: number[] = [];
    const visibleMs: number[] = [];
    for (let k = 0; k < iterations; k++) {
      const mode = k % 2 === 0 ? 'FULL_PROCESS' : 'PARTIAL';
      const date = `2025-08-${String(k + 1).padStart(2, '0')}`;
      const annex = `procedureCode,action,onlineMode\n${Array.from({ length: items }, (_, i) => `${code(i)},reclassify,${mode}`).join('\n')}\n`;
      started = performance.now();
      const position = await send(annex, 'text/csv', `?number=${encodeURIComponent(`${k + 2}/QĐ-UBND`)}&issuedOn=${date}&effectiveFrom=${date}`);
      committedMs.push(performance.now() - started);
      await visible(position, date);
      visibleMs.push(performance.now() - started);
    }
    const committed = percentiles(committedMs);
    const shown = percentiles(visibleMs);
    ctx.log(`a ${items}-item decision (CSV), ${iterations} runs: committed p50 ${committed.p50} ms (max ${committed.max}); visible in the summary p50 ${shown.p50} ms (max ${shown.max})`);
    return { items, iterations, committedMs: committed, visibleMs: shown };
  } finally {
    await app.close();
  }
}
