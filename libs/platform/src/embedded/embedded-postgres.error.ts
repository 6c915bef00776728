/**
 * The embedded PostgreSQL cannot be started, said in one sentence that tells the operator what to do
 * (`message`), with the last lines of the server's own log when it got that far (`logTail`). The apps
 * print these and exit, without a stack.
 */
export class EmbeddedPostgresError extends Error {
  constructor(
    message: string,
    readonly logTail: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EmbeddedPostgresError';
  }
}
