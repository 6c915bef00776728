import type { RouteInfo } from '@nestjs/common/interfaces/index.js';
import { ExpressAdapter } from '@nestjs/platform-express';

/**
 * With a global prefix, Nest answers unknown paths under `/api` only; anything else would fall to
 * express's HTML 404. This one also mounts the not-found handler at the root, after every route
 * (Nest registers it at the end of init), so that every 404 is a problem+json.
 */
export class ProblemExpressAdapter extends ExpressAdapter {
  override setNotFoundHandler(handler: Function, prefix?: string, excludedRoutes?: RouteInfo[]) {
    const result = super.setNotFoundHandler(handler, prefix, excludedRoutes);
    if (prefix) this.use(handler);
    return result;
  }
}
