import { spawnSync } from 'node:child_process';
import { parse } from 'csv-parse/sync';
import { PROBLEM_JSON, registerProcedure, startApi, type ApiHarness } from '../support/api-app.js';

// Issue 11, item 3: the national CSV as spreadsheets and parsers expect it. Read back with csv-parse
// (`columns: true`) and with Python's csv module, run as a child process, as a data team would.

const COLUMNS = [
  'authority_code', 'authority_name', 'at', 'total', 'online', 'online_share', 'full_process', 'full_process_share',
  'partial', 'partial_share', 'information_only', 'information_only_share', 'paper_intake_disabled',
  'paper_intake_disabled_share',
];
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

let api: ApiHarness;

beforeAll(async () => {
  api = await startApi();
  await registerProcedure(api, { onlineMode: 'FULL_PROCESS' });
  await registerProcedure(api, { onlineMode: 'PARTIAL', paperIntake: 'DISABLED' });
  const last = await registerProcedure(api, { onlineMode: 'INFORMATION_ONLY' });
  const { body } = await api.http().get(`/api/authorities/74/procedures/${last}`).expect(200);
  // Each try waits up to 5 s for the projector; a loaded machine may need more than one.
  let res = await api.http().get(`/api/summary?afterPosition=${body.position}`);
  for (let attempt = 0; res.status === 503 && attempt < 5; attempt++) res = await api.http().get(`/api/summary?afterPosition=${body.position}`);
  expect(res.status).toBe(200);
}, 60_000);

afterAll(async () => {
  await api?.close();
});

/** The CSV answer as the bytes that came over the wire. */
async function csv(query = '') {
  const res = await api
    .http()
    .get(`/api/summary?at=2023-10-16${query}`)
    .set('Accept', 'text/csv')
    .buffer(true)
    .parse((response, done) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => done(null, Buffer.concat(chunks)));
    });
  return { status: res.status, headers: res.headers as Record<string, string>, bytes: res.body as Buffer };
}

/** Python's csv.DictReader over the bytes, decoded as `encoding`: its field names and rows. */
function pythonDictReader(bytes: Buffer, encoding: 'utf-8' | 'utf-8-sig'): { fieldnames: string[]; rows: Record<string, string>[] } {
  const script = [
    'import csv, io, json, sys',
    `reader = csv.DictReader(io.TextIOWrapper(sys.stdin.buffer, encoding='${encoding}', newline=''))`,
    'rows = list(reader)',
    'json.dump({"fieldnames": reader.fieldnames, "rows": rows}, sys.stdout, ensure_ascii=False)',
  ].join('\n');
  const run = spawnSync('python3', ['-c', script], { input: bytes, encoding: 'utf8', timeout: 20_000 });
  if (run.status !== 0) throw new Error(`python3 failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout);
}

describe('GET /api/summary as CSV', () => {
  it('starts with the header row, which csv-parse with columns: true reads as the keys', async () => {
    const { status, headers, bytes } = await csv();
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
    expect(bytes.subarray(0, 3).equals(BOM)).toBe(false);
    expect(bytes.toString('utf8').split('\r\n')[0]).toBe(COLUMNS.join(','));

    const records: Record<string, string>[] = parse(bytes, { columns: true });
    expect(records).toHaveLength(63 + 1);
    expect(Object.keys(records[0])).toEqual(COLUMNS);
    expect(records.find((r) => r.authority_code === '74')).toEqual({
      authority_code: '74',
      authority_name: 'Bình Dương',
      at: '2023-10-16',
      total: '3',
      online: '2',
      online_share: '66.67',
      full_process: '1',
      full_process_share: '33.33',
      partial: '1',
      partial_share: '33.33',
      information_only: '1',
      information_only_share: '33.33',
      paper_intake_disabled: '1',
      paper_intake_disabled_share: '33.33',
    });
    expect(records.at(-1)).toMatchObject({ authority_code: '', authority_name: 'Toàn quốc', total: '3' });
    expect(records.find((r) => r.authority_code === '01')).toMatchObject({ authority_name: 'Hà Nội', total: '0' });
  });

  it("is read the same by Python's csv.DictReader", async () => {
    const { bytes } = await csv();
    const python = pythonDictReader(bytes, 'utf-8');
    expect(python.fieldnames).toEqual(COLUMNS);
    expect(python.rows).toEqual(parse(bytes, { columns: true }));
    expect(python.rows.map((r) => r.authority_name)).toContain('Thừa Thiên Huế');
  }, 20_000);

  it('states the position and known-at in headers, as the JSON answer does in its body', async () => {
    const json = (await api.http().get('/api/summary?at=2023-10-16').expect(200)).body;
    const { headers } = await csv();
    expect(Number(headers['log-position'])).toBe(json.position);
    expect(Date.parse(headers['known-at'])).toBeGreaterThanOrEqual(Date.parse(json.knownAt));
    expect(headers['as-of-position']).toBeUndefined();

    const asOf = await csv(`&asOfPosition=${json.position}`);
    expect(asOf.headers).toMatchObject({ 'log-position': String(json.position), 'as-of-position': String(json.position) });
    expect(asOf.headers['known-at']).toBeUndefined();
  });

  it('adds a UTF-8 byte order mark with bom=true, which spreadsheets, csv-parse and Python (utf-8-sig) understand', async () => {
    const plain = await csv('&bom=false');
    const marked = await csv('&bom=true');
    expect(marked.bytes.subarray(0, 3).equals(BOM)).toBe(true);
    expect(marked.bytes.subarray(3).equals(plain.bytes)).toBe(true);
    expect(parse(marked.bytes, { columns: true, bom: true })).toEqual(parse(plain.bytes, { columns: true }));
    const python = pythonDictReader(marked.bytes, 'utf-8-sig');
    expect(python.fieldnames).toEqual(COLUMNS);
    expect(python.rows.find((r) => r.authority_code === '74')?.authority_name).toBe('Bình Dương');
  }, 20_000);

  it.each(['yes', '1', '', 'TRUE'])('refuses bom=%j with 400 naming it', async (value) => {
    const res = await api.http().get(`/api/summary?bom=${value}`).set('Accept', 'text/csv');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(res.body.errors).toEqual([{ field: 'bom', message: 'must be true or false' }]);
  });

  it('leaves the JSON answer as it was, bom or not', async () => {
    const { body } = await api.http().get('/api/summary?at=2023-10-16&bom=true').expect(200);
    expect(body).toMatchObject({ at: '2023-10-16', totals: { total: 3 } });
    expect(body.authorities).toHaveLength(63);
  });
});
