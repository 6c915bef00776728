/** The same Idempotency-Key came with another request (method, path or body). */
export class IdempotencyKeyReused extends Error {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  constructor(readonly key: string) {
    super(`Idempotency-Key '${key}' was first used with another request`);
    this.name = 'IdempotencyKeyReused';
  }
}

/** The first request with this key is still running after the wait bound. */
export class IdempotencyKeyInFlight extends Error {
  readonly code = 'IDEMPOTENCY_KEY_IN_FLIGHT';
  constructor(readonly key: string) {
    super(`A request with Idempotency-Key '${key}' is still being processed`);
    this.name = 'IdempotencyKeyInFlight';
  }
}
