import { RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';

/** One route handler of a running app, with what Nest knows of it. */
export interface DeclaredRoute {
  controller: Function;
  name: string;
  handler: Function;
  /** `POST /authorities/:authorityCode/procedures` (without the global prefix). */
  route: string;
}

/** Every route handler of every controller of `app`: what route-wide security tests walk. */
export function declaredRoutes(app: INestApplication): DeclaredRoute[] {
  const routes: DeclaredRoute[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const { metatype: controller } of module.controllers.values()) {
      if (typeof controller !== 'function') continue;
      const prefix = String(Reflect.getMetadata('path', controller) ?? '');
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata('method', handler) === undefined) continue;
        const path = `/${prefix}/${String(Reflect.getMetadata('path', handler) ?? '')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
        routes.push({ controller, name, handler, route: `${RequestMethod[Reflect.getMetadata('method', handler) as number]} ${path}` });
      }
    }
  }
  return routes;
}
