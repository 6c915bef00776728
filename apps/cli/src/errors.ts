import { ConcurrencyConflict } from '@tthc/application';
import { DomainError } from '@tthc/domain';
import { EventStoreUnavailable } from '@tthc/event-store';
import { integerRangeMessage, isDatabaseUnreachable, parseDecimalInteger, type IntegerRange } from '@tthc/platform';
import { EXIT, type ExitCode } from './exit-codes.js';
import type { Writer } from './io.js';

/** An expected failure: its message is shown as is, without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.FAILED,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

/**
 * An integer option's value, read as the api reads integer query parameters (`parseDecimalInteger`).
 * @throws CliError (exit code USAGE) `--batch-size must be an integer from 1 to 100000, got '1e3'`
 */
export function integerOption(raw: string, option: string, range: IntegerRange): number {
  const value = parseDecimalInteger(raw, range);
  if (value === undefined) throw new CliError(`${option} ${integerRangeMessage(range)}, got '${raw}'`, EXIT.USAGE);
  return value;
}

/** undefined_table, invalid_schema_name: the schema has not been created. */
const NO_SCHEMA_CODES = new Set(['42P01', '3F000']);

export interface Failure {
  exitCode: ExitCode;
  message: string;
  /** Only for unexpected errors. */
  stack?: string;
}

/** Maps any error to what the user sees and the exit code. */
export function describeFailure(error: unknown): Failure {
  if (error instanceof CliError) return { exitCode: error.exitCode, message: error.message };
  if (error instanceof DomainError || error instanceof ConcurrencyConflict) {
    return { exitCode: EXIT.FAILED, message: error.message };
  }
  if (error instanceof EventStoreUnavailable) {
    return { exitCode: EXIT.UNAVAILABLE, message: `the database is unreachable (${rootMessage(error)})` };
  }
  const code = errorCode(error);
  if (isDatabaseUnreachable(error)) {
    return { exitCode: EXIT.UNAVAILABLE, message: `the database is unreachable (${rootMessage(error)})` };
  }
  if (code && NO_SCHEMA_CODES.has(code)) {
    return { exitCode: EXIT.FAILED, message: `the database has no event store schema yet: run \`tthc-ledger migrate\` first (${rootMessage(error)})` };
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { exitCode: EXIT.INTERNAL, message: `unexpected failure: ${error instanceof Error ? error.message : String(error)}`, stack };
}

/** Writes the failure to `stderr` and returns its exit code. */
export function reportFailure(error: unknown, stderr: Writer): ExitCode {
  const failure = describeFailure(error);
  stderr.write(`error: ${failure.message}\n`);
  if (failure.stack) stderr.write(`${failure.stack}\n`);
  return failure.exitCode;
}

function errorCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    // Node reports a refused connection to several addresses as an AggregateError of them.
    const inner = (e as { errors?: unknown[] }).errors?.[0] as { code?: unknown } | undefined;
    if (typeof inner?.code === 'string') return inner.code;
  }
  return undefined;
}

function rootMessage(error: unknown): string {
  let e = error as { cause?: unknown; message?: string; errors?: { message?: string }[] };
  while (e.cause) e = e.cause as typeof e;
  return e.message || e.errors?.[0]?.message || String(e);
}
