import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteInfo } from '@nestjs/common/interfaces/index.js';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Request } from 'express';

/** 405: the path exists, the method does not; `allowed` goes into the `Allow` header (RFC 9110 §15.5.6). */
export class MethodNotAllowed extends Error {
  constructor(
    readonly method: string,
    readonly allowed: readonly string[],
  ) {
    super(`${method} is not allowed here; allowed: ${allowed.join(', ')}`);
    this.name = 'MethodNotAllowed';
  }
}

/** The parts of express's router (the `router` package) read here. */
interface RouterLayer {
  route?: { methods: Record<string, boolean | undefined> };
  match(path: string): unknown;
}

/**
 * The methods the app's routes answer on `path`, HEAD wherever GET is, in a stable order; empty when
 * no route has that path.
 */
export function allowedMethods(stack: readonly RouterLayer[], path: string): string[] {
  const methods = new Set<string>();
  for (const layer of stack) {
    if (!layer.route || !layer.match(path)) continue;
    for (const [method, handled] of Object.entries(layer.route.methods)) if (handled) methods.add(method.toUpperCase());
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}

/**
 * Nest's express adapter, with every miss answered as a problem+json:
 * - a method the path does not have gets 405 with `Allow` (express would fall through to a 404);
 * - with a global prefix, Nest answers unknown paths under `/api` only; anything else would fall to
 *   express's HTML 404, so the not-found handler is also mounted at the root, after every route
 *   (Nest registers it at the end of init).
 */
export class ProblemExpressAdapter extends ExpressAdapter {
  override setNotFoundHandler(handler: Function, prefix?: string, excludedRoutes?: RouteInfo[]) {
    // The app's routes as they stand now, before the not-found handlers (express's `all`, which
    // registers every method) are added.
    const routes = [...(this.getInstance() as { router: { stack: RouterLayer[] } }).router.stack];
    this.use((req: IncomingMessage, _res: ServerResponse, next: (error?: unknown) => void) => {
      const allowed = allowedMethods(routes, (req as Request).path);
      next(allowed.length > 0 ? new MethodNotAllowed(req.method ?? '', allowed) : undefined);
    });
    const result = super.setNotFoundHandler(handler, prefix, excludedRoutes);
    if (prefix) this.use(handler);
    return result;
  }
}
