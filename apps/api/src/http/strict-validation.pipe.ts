import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
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
  constructor() {
    super({ whitelist: true, forbidNonWhitelisted: true, transform: true, exceptionFactory: invalidRequestFromValidation });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
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

/** The own keys of a plain value that name a member of `metatype`'s prototype chain, or `__proto__`. */
function keysHiddenByPrototype(value: unknown, metatype: abstract new (...args: never[]) => unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const probe = Object.create(metatype.prototype as object) as object;
  return Object.keys(value).filter((key) => key === '__proto__' || key in probe);
}
