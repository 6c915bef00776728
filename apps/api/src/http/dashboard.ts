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
 * Serves the dashboard on the api's origin: `GET /` (and `/index.html`) is the page, revalidated on
 * every load (`no-cache`), and `/assets/*` its content-hashed scripts and styles, cached for a year
 * (`immutable`). Nothing else is touched: /api, /docs, /health and /metrics reach their routes
 * without a file-system look-up. helmet's CSP (scripts and connections from 'self' only) admits the
 * page as built.
 */
export function serveDashboard(app: NestExpressApplication, dir: string): void {
  const index = join(dir, 'index.html');
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || (req.path !== '/' && req.path !== '/index.html')) return next();
    // Read on each load (half a kilobyte), so that a rebuild while the api runs is served at once.
    readFile(index).then(
      (html) => {
        res.setHeader('Cache-Control', 'no-cache');
        res.type('html').send(html);
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
