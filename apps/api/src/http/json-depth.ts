import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidRequest } from './invalid-request.error.js';

/** Deepest nesting of objects and arrays a JSON body may have: the contract's bodies are flat. */
export const MAX_JSON_DEPTH = 32;

/**
 * Express middleware, after the JSON body parser: a body nested deeper than `maxDepth` is refused
 * with a 400 before anything recursive (class-transformer, the idempotency hash) walks it.
 */
export function jsonDepthLimit(maxDepth = MAX_JSON_DEPTH) {
  return (req: IncomingMessage & { body?: unknown }, _res: ServerResponse, next: (error?: unknown) => void): void => {
    if (nestedDeeperThan(req.body, maxDepth)) {
      next(new InvalidRequest([{ field: 'body', message: `must not nest objects or arrays more than ${maxDepth} levels deep` }]));
      return;
    }
    next();
  };
}

/** Iterative, so that the check itself cannot overflow the stack. */
export function nestedDeeperThan(value: unknown, maxDepth: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const stack: [object, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > maxDepth) return true;
    for (const child of Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}
