/// <reference lib="dom" />
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { CommandBus } from '@nestjs/cqrs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { IssueDecisionCommand, commandBusSetup, seedDemo } from '@tthc/application';
import { PROJECTION_RUNNER, type ProjectionRunner } from '@tthc/read-models';
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { startApi, type ApiHarness } from '../support/api-app.js';
import { chromiumArgs, ensureChromium } from '../support/chromium.js';
import { freePort } from '../support/free-port.js';

/*
 * Issue 17: the dashboard page in headless Chromium (Debian's, driven by playwright-core) against the
 * real api, serving the page as `npm start` does, over the demo data (74, 77, 79 across the 2025
 * merger). The page is built first when its sources are newer than dist/dashboard.
 */
const ROOT = join(process.cwd());
/** A loaded 2-core machine: a page's first load alone can take seconds. */
const BROWSER_TEST_MS = 90_000;
const SCREENSHOTS = join(ROOT, 'docs', 'screenshots');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let api: ApiHarness;
let browser: Browser;
let base = '';
let token = '';
/** Uncaught errors in any page: none is expected. */
const pageErrors: string[] = [];

afterEach(() => expect(pageErrors.splice(0)).toEqual([]));

beforeAll(async () => {
  const executablePath = ensureChromium();
  const build = spawnSync(process.execPath, [join(ROOT, 'apps/dashboard/build.mjs')], { encoding: 'utf8', timeout: 120_000 });
  if (build.status !== 0) throw new Error(`the dashboard did not build: ${build.stderr || build.stdout}`);
  browser = await chromium.launch({ executablePath, args: chromiumArgs(), headless: true });
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 600_000);

afterAll(async () => {
  await browser?.close();
});

/** The api serving the page over the demo data, loaded through the command bus (the describes that need it). */
function withDemoData(): void {
  beforeAll(async () => {
    api = await startApi({ dashboardDir: join(ROOT, 'dist', 'dashboard') });
    const bus = api.app.get(CommandBus);
    const seeded = await seedDemo((decision, context) => bus.execute(new IssueDecisionCommand(decision, context)), commandBusSetup(bus));
    expect(await api.app.get<ProjectionRunner>(PROJECTION_RUNNER).waitForPosition(seeded.lastPosition, 120_000)).toBe(true);
    await api.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;
    token = await api.token(['viewer', 'auditor'], { sub: 'dashboard-test' });
  }, 600_000);
  afterAll(() => api?.close());
}

/** A page signed in through the URL fragment, as the start log's link does, on `hash`. */
async function open(hash: string, viewport = { width: 1366, height: 768 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${base}/#token=${token}`);
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
  return page;
}

const row = (page: Page, code: string) => page.locator(`table.national tbody tr[data-code="${code}"]`);
const count = (page: Page, code: string, measure: string) => row(page, code).locator(`a[data-measure="${measure}"]`);

async function figures(page: Page, code: string) {
  return {
    fullProcess: await count(page, code, 'fullProcess').innerText(),
    partial: await count(page, code, 'partial').innerText(),
    informationOnly: await count(page, code, 'informationOnly').innerText(),
  };
}

/** The national facts panel's figures, once it shows `at`: each fact's "count/total · share". */
async function nationalFacts(page: Page, at: string): Promise<Record<'systems' | 'ministries' | 'localities', string>> {
  await page.locator(`.national-facts[data-state="ok"][data-at="${at}"]`).waitFor();
  const fact = (name: string) => page.locator(`.national-facts [data-fact="${name}"] dd`).innerText();
  return { systems: await fact('systems'), ministries: await fact('ministries'), localities: await fact('localities') };
}

async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const results = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  });
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
}

describe('the dashboard, served by the api, over the demo data', () => {
withDemoData();

describe('the page and its assets', () => {
  it('is the page at / (no-cache), with content-hashed assets cached for a year, under the CSP', async () => {
    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await index.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const script = await fetch(`${base}${asset}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // The api keeps its own paths.
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/api/summary`)).status).toBe(401);
    expect((await fetch(`${base}/assets/nothing-here.js`)).status).toBe(404);
  });
});

describe('the national table', () => {
  it("shows Bình Dương's published figures on 2023-06-01 and 2023-10-16, in 2023 boundaries (63 rows) with totals, and the date changes them", async () => {
    const page = await open('/');
    await page.getByRole('button', { name: '2023-06-01' }).click();
    await row(page, '74').waitFor();
    expect(await page.locator('table.national tbody tr').count()).toBe(63);
    expect(await figures(page, '74')).toEqual({ fullProcess: '697', partial: '692', informationOnly: '504' });
    expect(await count(page, '74', 'paperIntakeDisabled').innerText()).toBe('731');
    expect(await page.locator('table.national tfoot tr.totals').count()).toBe(1);
    // Vietnamese by default.
    expect(await page.locator('table.national thead').innerText()).toContain('Toàn trình');

    await page.locator('input[name="at"]').fill('2023-10-16');
    await page.waitForFunction(() => document.querySelector('table.national caption')?.textContent?.includes('2023-10-16'));
    expect(await figures(page, '74')).toEqual({ fullProcess: '756', partial: '830', informationOnly: '304' });
    expect(await page.locator('table.national tfoot tr.totals').innerText()).toContain('Toàn quốc');
    // The national facts of the same date (GET /api/national-facts): the article's 37/76 (48.68%, "48,68" in Vietnamese), 15 ministries, 63/63 localities.
    expect(await nationalFacts(page, '2023-10-16')).toEqual({ systems: '37/76 · 48,68%', ministries: '15/22 · 68,18%', localities: '63/63 · 100,00%' });
    expect(await page.locator('.national-facts .position').innerText()).toMatch(/^\d+$/);
    await page.screenshot({ path: join(SCREENSHOTS, 'national-table.png') });

    // Sortable: by full-process share, descending, Bình Dương first (the only 2023 catalogue with figures but 77 and 79).
    await page.locator('button[data-sort="fullProcessShare"]').click();
    expect(await page.locator('th[aria-sort]').getAttribute('aria-sort')).toBe('descending');
    // 2025 boundaries: 34 rows; Hồ Chí Minh City composed of 74 + 77 + 79 before the merger.
    await page.locator('select[name="boundaries"]').selectOption('2025');
    await page.waitForFunction(() => document.querySelector('table.national')?.getAttribute('data-rows') === '34');
    expect(await row(page, '79').innerText()).toContain('74+77+79');
    // English on a switch.
    await page.getByRole('button', { name: 'English' }).click();
    expect(await page.locator('table.national thead').innerText()).toContain('Full-process');
    // The facts follow the date: 18 ministries connected on 2024-08-31.
    await page.locator('input[name="at"]').fill('2024-08-31');
    expect((await nationalFacts(page, '2024-08-31')).ministries).toMatch(/^18\/22 /);
    expect(await page.locator('.national-facts dl').innerText()).toContain('Ministries');
    await page.close();
  }, BROWSER_TEST_MS);

  it('a click on a count lists exactly those procedures, and a procedure opens its trail with its decision', async () => {
    const page = await open('/?at=2023-10-16&b=2023');
    await count(page, '74', 'fullProcess').click();
    await page.locator('table.procedures tbody tr').first().waitFor();
    expect(await page.locator('p.count').getAttribute('data-total')).toBe('756');
    const shown = await page.locator('table.procedures tbody tr').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-code')}:${r.getAttribute('data-mode')}`));
    const listed = (await api.as('viewer').get('/api/authorities/74/procedures?at=2023-10-16&boundaries=2023&onlineMode=FULL_PROCESS&page=1&pageSize=50').expect(200)).body as {
      total: number;
      items: { procedureCode: string; onlineMode: string }[];
    };
    expect(listed.total).toBe(756);
    expect(shown).toEqual(listed.items.map((i) => `${i.procedureCode}:${i.onlineMode}`));

    const first = listed.items[0].procedureCode;
    await page.locator(`table.procedures tbody tr[data-code="${first}"] a`).first().click();
    await page.locator('table.trail tbody tr').first().waitFor();
    const events = (await api.as('auditor').get(`/api/authorities/74/procedures/${first}/events`).expect(200)).body as { events: { type: string; data: { decisionRef?: string } }[] };
    const decisions = events.events.map((e) => e.data.decisionRef).filter((d): d is string => typeof d === 'string');
    expect(decisions.length).toBeGreaterThan(0);
    const cells = await page.locator('table.trail td.decision').allInnerTexts();
    expect(cells.filter(Boolean)).toEqual(decisions);
    expect(await page.locator('table.trail tbody tr').count()).toBe(events.events.length);
    await page.close();
  }, BROWSER_TEST_MS);

  it('with a known-at instant before the data was recorded, shows the table as it stood then and marks the counts revised since', async () => {
    const page = await open('/?at=2023-10-16&b=2023&knownAt=2020-01-01T00:00:00Z');
    await row(page, '74').waitFor();
    const cell = row(page, '74').locator('td').nth(2);
    expect(await cell.innerText()).toMatch(/^0/);
    expect(await row(page, '74').locator('.revised').count()).toBeGreaterThan(0);
    await page.close();
  }, BROWSER_TEST_MS);

  it("a province's page: its figures, its lineage, the chart, and the movement as a from → to matrix with the net change", async () => {
    const page = await open('/a/74?at=2023-10-16&b=2023&from=2023-06-01&to=2023-10-16');
    await page.locator('table.matrix').waitFor();
    expect(await page.locator('a[data-measure="fullProcess"]').innerText()).toBe('756');
    // 59 partial → full-process, 197 information-only → partial, 3 information-only withdrawn (the scenario's decisions).
    const cell = (from: number, to: number) => page.locator(`table.matrix tbody tr:nth-child(${from}) td:nth-of-type(${to})`).innerText();
    expect(await cell(2, 1)).toBe('59');
    expect(await cell(3, 2)).toBe('197');
    expect(await cell(3, 4)).toBe('3');
    expect(await page.locator('table.matrix tfoot').innerText()).toContain('+59');
    expect(await page.locator('ul.lineage').innerText()).toContain('(79)');
    await page.locator('.chart canvas').waitFor();
    // Its decisions (GET …/decisions), each with its effect: the scenario's five, 1500/QĐ-UBND moving 100 information-only to partial.
    await page.locator('table.decisions').waitFor();
    const decisions = await page.locator('table.decisions tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-number')));
    expect(decisions).toEqual(expect.arrayContaining(['1000/QĐ-UBND', '1500/QĐ-UBND', '1900/QĐ-UBND', '2100/QĐ-UBND', '2400/QĐ-UBND']));
    expect(await page.locator('table.decisions tbody tr[data-number="1500/QĐ-UBND"]').innerText()).toContain('+100');
    await page.close();
  }, BROWSER_TEST_MS);

  it('works at phone width: no sideways scrolling of the page, the table scrolls in its frame', async () => {
    const page = await open('/?at=2023-10-16&b=2023', { width: 390, height: 844 });
    await row(page, '74').waitFor();
    expect((await nationalFacts(page, '2023-10-16')).systems).toBe('37/76 · 48,68%');
    expect(await figures(page, '74')).toEqual({ fullProcess: '756', partial: '830', informationOnly: '304' });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(SCREENSHOTS, 'phone.png') });
    await page.close();
  }, BROWSER_TEST_MS);

  it('has no serious or critical accessibility violation (axe-core) on the table, a list, a trail and a province', async () => {
    const page = await open('/?at=2023-10-16&b=2023');
    await row(page, '74').waitFor();
    await nationalFacts(page, '2023-10-16');
    const found: string[] = [...(await seriousViolations(page))];
    await count(page, '74', 'partial').click();
    await page.locator('table.procedures tbody tr').first().waitFor();
    found.push(...(await seriousViolations(page)));
    await page.locator('table.procedures tbody tr a').first().click();
    await page.locator('table.trail tbody tr').first().waitFor();
    found.push(...(await seriousViolations(page)));
    await page.evaluate(() => {
      location.hash = '/a/74?at=2023-10-16&b=2023';
    });
    await page.locator('table.matrix').waitFor();
    found.push(...(await seriousViolations(page)));
    expect(found).toEqual([]);
    await page.close();
  }, BROWSER_TEST_MS);
});
});

/*
 * With an identity provider: the page signs in by OpenID Connect, Authorization Code with PKCE
 * (oidc-client-ts), against a real OpenID provider (the npm package oidc-provider, its development
 * login and consent pages) issuing a JWT access token for the api (a resource indicator), which the
 * api verifies with the provider's JWKS as any other token.
 */
describe('signing in through an OpenID provider', () => {
  const resource = 'urn:tthc-ledger:api';
  let oidcApi: ApiHarness;
  let provider: Server;
  let origin = '';

  beforeAll(async () => {
    const issuer = `http://127.0.0.1:${await freePort()}`;
    oidcApi = await startApi({
      auth: { jwksUrl: `${issuer}/jwks`, issuer, audience: resource },
      dashboardDir: join(ROOT, 'dist', 'dashboard'),
      dashboardOidc: { issuer, clientId: 'tthc-dashboard', scope: 'openid api', resource },
    });
    await oidcApi.app.listen(0, '127.0.0.1');
    origin = `http://127.0.0.1:${(oidcApi.app.getHttpServer().address() as AddressInfo).port}`;
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const oidc = new Provider(issuer, {
      clients: [{ client_id: 'tthc-dashboard', token_endpoint_auth_method: 'none', redirect_uris: [`${origin}/`], grant_types: ['authorization_code'], response_types: ['code'] }],
      jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'test-rs256', alg: 'RS256', use: 'sig' }] },
      cookies: { keys: ['tthc-dashboard-test-cookie-key'] },
      scopes: ['openid', 'api'],
      findAccount: (_ctx: unknown, id: string) => ({ accountId: id, claims: () => ({ sub: id }) }),
      extraTokenClaims: () => ({ roles: ['viewer'], authorities: ['*'] }),
      features: {
        devInteractions: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => resource,
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({ scope: 'api', audience: resource, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }),
        },
      },
    } as never);
    provider = createServer(oidc.callback());
    await new Promise<void>((resolve) => provider.listen(Number(new URL(issuer).port), '127.0.0.1', resolve));
  }, 120_000);

  afterAll(async () => {
    provider?.closeAllConnections();
    await new Promise((resolve) => provider?.close(resolve));
    await oidcApi?.close();
  });

  it('signs in with the code and PKCE, and the page reads the api with the access token', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(`${origin}/#/?at=2023-06-01`);
    await page.locator('button[data-signin="oidc"]').click();
    // The provider's login page: any login and password.
    await page.locator('input[name="login"]').fill('nguyen.van.a');
    await page.locator('input[name="password"]').fill('any');
    await page.locator('button[type="submit"]').click();
    // Its consent page.
    await page.locator('button[type="submit"]').click();
    // Back on the dashboard, signed in: the national table of the units set up at start (no procedures).
    await page.locator('table.national tbody tr[data-code="74"]').waitFor();
    expect(await page.locator('table.national tbody tr').count()).toBe(63);
    expect(new URL(page.url()).search).toBe('');
    expect(await page.locator('header .who').innerText()).toContain('nguyen.van.a');
    await page.close();
  }, BROWSER_TEST_MS);
});
