/** Who and what caused a command: becomes every appended event's metadata. */
export interface CommandContext {
  /** The authenticated subject; `anonymous` until authentication exists (see apps/api actor seam). */
  actor: string;
  correlationId: string;
  causationId?: string | null;
  /** From `If-Match`: the revision the caller last saw; absent means "whatever is current". */
  expectedRevision?: number;
  /**
   * Names this request among every other (the api: its Idempotency-Key with the hash of the caller
   * and the request). The events' ids derive from it, so they are known before the append and are
   * the same in a retry: a retry whose events are already in the stream is answered with them
   * (see handleProcedureCommand), whatever became of the first attempt's reply.
   */
  idempotencyKey?: string;
}

/** A command's reply, as the HTTP contract shows it. */
export interface CommandResult {
  streamId: string;
  revision: number;
  events: { type: string; globalPosition: number }[];
}
