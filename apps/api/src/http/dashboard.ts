import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/** Long-cache header of the dashboard's content-hashed assets: a new build has new names. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';

/**
 * Where the dashboard's build is (`npm run build` writes it to dist/dashboard): DASHBOARD_DIR when
 * set, else dist/dashboard of this checkout, found from this module whether it runs from the
 * sources (apps/api/src/http) or from dist (dist/apps/api/src/http). Null when there is no build.
 */
export function dashboardDirectory(env: NodeJS.ProcessEnv = process.env): string | null {
  const up = fileURLToPath(new URL('../../../../', import.meta.url));
  const candidates = env.DASHBOARD_DIR ? [env.DASHBOARD_DIR] : [join(up, 'dist', 'dashboard'), join(up, 'dashboard')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

/**
 * The dashboard's OpenID Connect sign-in (Authorization Code with PKCE, in the page): the provider's
 * issuer URL and the page's client id (a public client whose redirect URI is the page, `…/`), from
 * AUTH_OIDC_ISSUER and AUTH_OIDC_CLIENT_ID; AUTH_OIDC_SCOPE adds scopes to `openid`, AUTH_OIDC_RESOURCE
 * names the api as a resource (RFC 8707) where the provider needs it to issue a JWT access token.
 * The api verifies the access token with AUTH_JWKS_URL as any other. Undefined when not configured.
 */
export interface DashboardOidc {
  issuer: string;
  clientId: string;
  scope: string;
  resource?: string;
}

export function dashboardOidcFromEnv(env: NodeJS.ProcessEnv = process.env): DashboardOidc | undefined {
  const issuer = env.AUTH_OIDC_ISSUER?.trim();
  const clientId = env.AUTH_OIDC_CLIENT_ID?.trim();
  if (!issuer || !clientId) return undefined;
  new URL(issuer); // throws on a malformed issuer, at start
  const scope = ['openid', ...(env.AUTH_OIDC_SCOPE ?? '').split(/\s+/).filter((s) => s && s !== 'openid')].join(' ');
  return { issuer, clientId, scope, ...(env.AUTH_OIDC_RESOURCE?.trim() && { resource: env.AUTH_OIDC_RESOURCE.trim() }) };
}

/** index.html with the sign-in's settings in a meta element the page reads (no inline script: the CSP forbids it). */
function withOidc(html: Buffer, oidc: DashboardOidc | undefined): string | Buffer {
  if (!oidc) return html;
  const escaped = JSON.stringify(oidc).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return html.toString('utf8').replace('</head>', `  <meta name="tthc-oidc" content="${escaped}" />\n  </head>`);
}

/**
 * Serves the dashboard on the api's origin: `GET /` (and `/index.html`) is the page, revalidated on
 * every load (`no-cache`), and `/assets/*` its content-hashed scripts and styles, cached for a year
 * (`immutable`). Nothing else is touched: /api, /docs, /health and /metrics reach their routes
 * without a file-system look-up. helmet's CSP (scripts and connections from 'self' only) admits the
 * page as built.
 */
export function serveDashboard(app: NestExpressApplication, dir: string, oidc?: DashboardOidc): void {
  const index = join(dir, 'index.html');
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || (req.path !== '/' && req.path !== '/index.html')) return next();
    // Read on each load (half a kilobyte), so that a rebuild while the api runs is served at once.
    readFile(index).then(
      (html) => {
        res.setHeader('Cache-Control', 'no-cache');
        res.type('html').send(withOidc(html, oidc));
      },
      next,
    );
  });
  app.useStaticAssets(join(dir, 'assets'), {
    prefix: '/assets/',
    index: false,
    redirect: false,
    fallthrough: true,
    etag: true,
    setHeaders: (res) => res.setHeader('Cache-Control', IMMUTABLE_CACHE),
  });
}
