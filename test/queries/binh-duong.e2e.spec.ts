import { binhDuongSeedCommands, type CommandResult } from '@tthc/application';
import type { ProcedureCommand } from '@tthc/domain';
import { PROBLEM_JSON, startApi, type ApiHarness } from '../support/api-app.js';

/** The HTTP request that issues a domain command, as an administrator's script would send it. */
function toRequest(command: ProcedureCommand): { path: string; body: Record<string, unknown> } {
  const { authorityCode, procedureCode, ...body } = command.data;
  const base = `/api/authorities/${authorityCode}/procedures`;
  const action = ({
    RegisterProcedure: '',
    ReclassifyProcedure: '/reclassify',
    DisablePaperIntake: '/disable-paper-intake',
    ReenablePaperIntake: '/reenable-paper-intake',
    WithdrawProcedure: '/withdraw',
  } as Record<string, string>)[command.type];
  return command.type === 'RegisterProcedure'
    ? { path: base, body: { procedureCode, ...body } }
    : { path: `${base}/${procedureCode}${action}`, body };
}

describe('the published Bình Dương figures, through the HTTP API', () => {
  let api: ApiHarness;
  let lastPosition = 0;

  beforeAll(async () => {
    api = await startApi();
    // Every command of the synthetic scenario over HTTP, 8 at a time, dates in order.
    const commands = binhDuongSeedCommands();
    const dates = [...new Set(commands.map((c) => c.data.effectiveFrom))].sort();
    for (const date of dates) {
      const queue = commands.filter((c) => c.data.effectiveFrom === date);
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let command = queue.shift(); command; command = queue.shift()) {
            const { path, body } = toRequest(command);
            const res = await api.http().post(path).send(body);
            expect(res.status).toBeLessThan(300);
            const reply = res.body as CommandResult;
            lastPosition = Math.max(lastPosition, ...reply.events.map((e) => e.globalPosition));
          }
        }),
      );
    }
  }, 180_000);
  afterAll(() => api.close());

  it('shows 697 / 692 / 504 (731 paperless) of 1,893 on 2023-06-01 and 756 / 830 / 304 of 1,890 on 2023-10-16', async () => {
    const res = await api
      .http()
      .get(`/api/authorities/74/movement?from=2023-06-01&to=2023-10-16&afterPosition=${lastPosition}`)
      .expect(200);
    expect(res.body.position).toBeGreaterThanOrEqual(lastPosition);
    expect(res.body.from).toMatchObject({
      authorityCode: '74',
      at: '2023-06-01',
      total: 1893,
      online: { count: 1389, share: 73.38 },
      fullProcess: { count: 697, share: 36.82 },
      partial: { count: 692, share: 36.56 },
      informationOnly: { count: 504, share: 26.62 },
      paperIntakeDisabled: { count: 731, share: 38.62 },
    });
    expect(res.body.to).toMatchObject({
      at: '2023-10-16',
      total: 1890,
      // Half-up to 2 decimals (API.md): 1,586 / 1,890 = 83.915… → 83.92 (the article truncates to 83,91).
      online: { count: 1586, share: 83.92 },
      fullProcess: { count: 756, share: 40 },
      partial: { count: 830, share: 43.92 },
      informationOnly: { count: 304, share: 16.08 },
    });
    expect(res.body.delta).toEqual({ total: -3, fullProcess: 59, partial: 138, informationOnly: -200, paperIntakeDisabled: 40 });
    expect(res.body.transitions).toEqual({
      registered: 0,
      discontinued: 0,
      upgradedToFullProcess: 59,
      upgradedToPartial: 197,
      downgradedToPartial: 0,
      downgradedToInformationOnly: 0,
      paperIntakeDisabled: 40,
      paperIntakeReenabled: 0,
      withdrawn: 3,
    });
  });

  it('gives the same figures in the summary and in the national table (JSON and CSV)', async () => {
    const summary = await api.http().get('/api/authorities/74/summary?at=2023-06-01').expect(200);
    expect(summary.body).toMatchObject({ total: 1893, fullProcess: { count: 697 }, position: expect.any(Number), knownAt: expect.any(String) });

    const table = await api.http().get('/api/summary?at=2023-10-16').expect(200);
    expect(table.body.authorities).toHaveLength(63);
    expect(table.body.authorities.find((a: { authorityCode: string }) => a.authorityCode === '74')).toMatchObject({ total: 1890, fullProcess: { count: 756 } });
    expect(table.body.totals).toMatchObject({ total: 1890, partial: { count: 830 }, informationOnly: { count: 304 } });

    const csv = await api.http().get('/api/summary?at=2023-10-16').set('Accept', 'text/csv').expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toMatch(/^authority_code,authority_name,at,total/);
    expect(lines.find((l) => l.startsWith('74,'))).toBe('74,Bình Dương,2023-10-16,1890,1586,83.92,756,40,830,43.92,304,16.08,771,40.79');
    expect(lines).toHaveLength(1 + 63 + 1);
  });

  it('lists the procedures in force, paged and filtered', async () => {
    const page = await api.http().get('/api/authorities/74/procedures?at=2023-06-01&onlineMode=FULL_PROCESS&pageSize=100&page=7').expect(200);
    expect(page.body).toMatchObject({ total: 697, page: 7, pageSize: 100 });
    expect(page.body.items).toHaveLength(97);
    expect(page.body.items.every((p: { onlineMode: string }) => p.onlineMode === 'FULL_PROCESS')).toBe(true);
    const paperless = await api.http().get('/api/authorities/74/procedures?at=2023-10-16&paperIntake=DISABLED&pageSize=1').expect(200);
    expect(paperless.body.total).toBe(771);
  });

  it('says what the projection had not yet reached when afterPosition is beyond the log', async () => {
    const res = await api.http().get(`/api/authorities/74/summary?afterPosition=${lastPosition + 1_000_000}`);
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(res.headers['retry-after']).toBeDefined();
  }, 15_000);

  it.each([
    ['/api/authorities/74/summary?at=2023-02-30', 'at'],
    ['/api/authorities/74/summary?knownAt=yesterday', 'knownAt'],
    ['/api/authorities/74/movement?from=2023-10-16', 'to'],
    ['/api/authorities/74/movement?from=2023-10-16&to=2023-06-01', 'to'],
    ['/api/authorities/74/procedures?page=0', 'page'],
    ['/api/authorities/74/procedures?pageSize=100000', 'pageSize'],
    ['/api/authorities/74/procedures?page=-1', 'page'],
    ['/api/authorities/74/procedures?onlineMode=ONLINE', 'onlineMode'],
    ['/api/authorities/74/summary?afterPosition=-5', 'afterPosition'],
    ['/api/summary?at=99999-01-01', 'at'],
    ['/api/authorities/7a/summary', 'authorityCode'],
  ])('refuses %s naming %s', async (path, field) => {
    const res = await api.http().get(path);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('answers 404 for an authority that does not exist', async () => {
    const res = await api.http().get('/api/authorities/99/summary');
    expect(res.status).toBe(404);
  });
});
