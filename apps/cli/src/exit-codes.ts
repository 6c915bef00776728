/** The process exit codes, a contract for scripts (listed in `--help`). */
export const EXIT = {
  OK: 0,
  /** The command could not do what was asked: invalid value, unknown authority, not found, refused. */
  FAILED: 1,
  /** Unknown command or option, missing argument, invalid environment variable. */
  USAGE: 2,
  /** The database could not be reached or started. */
  UNAVAILABLE: 3,
  /** The tamper evidence does not hold: `verify` found problems, or a file's hashes do not chain. */
  TAMPERED: 4,
  /** A bug: the stack trace is printed. */
  INTERNAL: 70,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `
Exit codes:
  0   success
  1   the command failed: invalid value, unknown authority, procedure not found, refused by the domain
  2   usage error: unknown command or option, missing argument, invalid environment variable
  3   the database could not be reached or started
  4   tampering found: \`verify\` reported problems, or an import file's hashes do not chain
  70  unexpected internal error (a stack trace is printed)
`;
