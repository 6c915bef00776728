import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { FieldError } from '@tthc/domain';
import { InvalidRequest, invalidRequestFromValidation } from './invalid-request.error.js';

/**
 * The global ValidationPipe (whitelist, unknown fields refused, values transformed), made to refuse
 * the keys it would otherwise drop without a word. class-transformer skips a key that names a member
 * of the DTO's prototype chain (`constructor`, `toString`, `hasOwnProperty`, … of Object.prototype)
 * and `__proto__`, and Nest strips the last two before it: such a key never reaches the whitelist,
 * so `{"decisionRef": …, "toString": 1}` would be carried out. Here it is refused like every other
 * unknown field: 400, `property toString should not exist`, alongside the other fields' errors.
 */
export class StrictValidationPipe extends ValidationPipe {
  /**
   * Query strings and path parameters that passed, by DTO and value: validating is a pure function of
   * the two, and dashboards ask the same few queries again and again (class-validator and
   * class-transformer were a tenth of a summary query's CPU). Refusals are not kept.
   */
  private readonly passed = new Map<Function, LRUCache<string, object>>();

  constructor() {
    super({ whitelist: true, forbidNonWhitelisted: true, transform: true, exceptionFactory: invalidRequestFromValidation });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const key = (metadata.type === 'query' || metadata.type === 'param') && metadata.metatype && this.toValidate(metadata) ? stringsKey(value) : undefined;
    if (key === undefined) return this.validated(value, metadata);
    let passed = this.passed.get(metadata.metatype!);
    if (passed === undefined) this.passed.set(metadata.metatype!, (passed = new LRUCache({ max: PASSED_PER_DTO })));
    const known = passed.get(key);
    if (known !== undefined) return copy(known);
    const result = await this.validated(value, metadata);
    if (typeof result === 'object' && result !== null) passed.set(key, copy(result));
    return result;
  }

  private async validated(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const hidden = metadata.metatype && this.toValidate(metadata) ? keysHiddenByPrototype(value, metadata.metatype) : [];
    const refused: FieldError[] = hidden.map((key) => ({ field: key, message: `property ${key} should not exist` }));
    let result: unknown;
    try {
      result = await super.transform(value, metadata);
    } catch (error) {
      if (refused.length > 0 && error instanceof InvalidRequest) throw new InvalidRequest([...refused, ...error.errors]);
      throw error;
    }
    if (refused.length > 0) throw new InvalidRequest(refused);
    return result;
  }
}

/** How many query strings (or path parameters) of one DTO are kept once they passed. */
const PASSED_PER_DTO = 1_000;

/** A key for a plain object of strings alone (what a query string or path parameters parse into); undefined for anything else. */
function stringsKey(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== null && prototype !== Object.prototype) return undefined;
  for (const v of Object.values(value)) if (typeof v !== 'string') return undefined;
  return JSON.stringify(value);
}

/** A shallow copy with the same prototype: the DTOs are flat, and a handler's copy is its own. */
function copy<T extends object>(value: T): T {
  return Object.assign(Object.create(Object.getPrototypeOf(value) as object | null) as T, value);
}

/** The own keys of a plain value that name a member of `metatype`'s prototype chain, or `__proto__`. */
function keysHiddenByPrototype(value: unknown, metatype: abstract new (...args: never[]) => unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const probe = Object.create(metatype.prototype as object) as object;
  return Object.keys(value).filter((key) => key === '__proto__' || key in probe);
}
