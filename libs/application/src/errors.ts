/** A conditional command (If-Match) found the stream at another revision. */
export class ConcurrencyConflict extends Error {
  readonly code = 'CONCURRENCY_CONFLICT';
  constructor(
    readonly streamId: string,
    readonly expectedRevision: number,
    readonly actualRevision: number | null,
  ) {
    super(`Stream ${streamId} is at revision ${actualRevision ?? 'none'}, not ${expectedRevision}`);
    this.name = 'ConcurrencyConflict';
  }
}
