import { shippedAuthorities } from '@tthc/application';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { mintToken } from '@tthc/platform';
import { createApp } from '../apps/api/src/create-app.js';
import type { BenchContext } from './context.js';

const START = Date.UTC(2023, 0, 1);

/** 5. http: commands/s and query requests/s with latency percentiles, over real HTTP (autocannon). */
export async function httpBench(ctx: BenchContext) {
  const secret = randomBytes(48).toString('base64url');
  process.env.AUTH_JWT_SECRET = secret;
  const url = await ctx.database('tthc_bench_http', { fresh: true });
  // The rate limit protects a deployment from one runaway client; this benchmark is that client.
  const app = await createApp({ databaseUrl: url, logLevel: 'silent', rateLimit: { limit: 1_000_000_000 } });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const token = await mintToken({ secret, subject: 'bench', roles: ['administrator'], authorities: ['*'], expiresIn: '1h' });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const connections = ctx.args.connections ?? 16;
  const duration = ctx.args.duration ?? 10;
  const codes = shippedAuthorities().provinces2023.map((a) => a.code);
  let n = 0;

  const run = (options: autocannon.Options) =>
    new Promise<autocannon.Result>((resolve, reject) =>
      autocannon(options, (error, result) => (error ? reject(error) : resolve(result))),
    );
  const summarise = (name: string, r: autocannon.Result) => {
    const s = {
      requestsPerSecond: Math.round(r.requests.average),
      latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
      total: r.requests.total,
      non2xx: r.non2xx,
      errors: r.errors,
      connections,
      seconds: duration,
    };
    ctx.log(`${name}: ${s.requestsPerSecond} req/s, p50 ${s.latencyMs.p50} ms, p99 ${s.latencyMs.p99} ms, ${s.non2xx} non-2xx, ${s.errors} errors (${connections} connections, ${duration} s)`);
    return s;
  };

  // Each request registers a new procedure, spread over the 63 authorities.
  const commands = await run({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const i = n++;
          const authority = codes[i % codes.length];
          return {
            ...req,
            path: `/api/authorities/${authority}/procedures`,
            headers,
            body: JSON.stringify({
              procedureCode: `7.${String(Math.floor(i / codes.length) % 1_000_000).padStart(6, '0')}`,
              name: `Thủ tục đo tải ${i} (dữ liệu tổng hợp)`,
              onlineMode: 'PARTIAL',
              effectiveFrom: '2023-06-01',
            }),
          };
        },
      },
    ],
  });
  const commandResult = summarise('commands (register)', commands);

  // GETs of a path at a random date (`at` in 2023-01-01 … 2025-06-19).
  const queryRun = (path: () => string) =>
    run({
      url: `http://127.0.0.1:${port}`,
      connections,
      duration,
      requests: [
        {
          method: 'GET',
          setupRequest: (req) => {
            const at = new Date(START + Math.floor(Math.random() * 900) * 86_400_000).toISOString().slice(0, 10);
            return { ...req, path: `${path()}?at=${at}`, headers: { authorization: headers.authorization } };
          },
        },
      ],
    });
  const queries = await queryRun(() => `/api/authorities/${codes[Math.floor(Math.random() * codes.length)]}/summary`);
  const queryResult = summarise('queries (summary at a random date)', queries);
  if (queries.requests.total === 0) {
    const probe = await fetch(`http://127.0.0.1:${port}/api/authorities/74/summary?at=2023-06-01`, { headers });
    ctx.log(`probe: ${probe.status} ${(await probe.text()).slice(0, 300)}`);
  }

  const national = await queryRun(() => '/api/summary');
  const nationalResult = summarise('queries (national table at a random date)', national);
  const sample = await (await fetch(`http://127.0.0.1:${port}/api/authorities/74/summary?at=2023-06-01`, { headers })).text();
  await app.close();

  // The ceiling: a bare node:http server answering the summary's JSON (the same bytes) from memory,
  // measured by the same client with the same connections, in the same run.
  const bare = await bareNodeServer(sample);
  const ceiling = await run({ url: `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`, connections, duration });
  const ceilingResult = summarise('ceiling: bare node:http, the summary JSON from memory', ceiling);
  await new Promise<void>((resolve) => bare.close(() => resolve()));
  const ratio = (r: { requestsPerSecond: number }) => +(r.requestsPerSecond / Math.max(1, ceilingResult.requestsPerSecond)).toFixed(3);
  const ratios = { commands: ratio(commandResult), summary: ratio(queryResult), national: ratio(nationalResult) };
  ctx.log(`share of the bare-Node ceiling: commands ${ratios.commands}, summary ${ratios.summary}, national table ${ratios.national}`);
  return { commands: commandResult, queries: queryResult, national: nationalResult, ceiling: ceilingResult, shareOfCeiling: ratios };
}

function bareNodeServer(body: string): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
