/** Who and what caused a command: becomes every appended event's metadata. */
export interface CommandContext {
  /** The authenticated subject; `anonymous` until authentication exists (see apps/api actor seam). */
  actor: string;
  correlationId: string;
  causationId?: string | null;
  /** From `If-Match`: the revision the caller last saw; absent means "whatever is current". */
  expectedRevision?: number;
}

/** A command's reply, as the HTTP contract shows it. */
export interface CommandResult {
  streamId: string;
  revision: number;
  events: { type: string; globalPosition: number }[];
}
