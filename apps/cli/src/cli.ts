import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.js';
import { reportFailure } from './errors.js';
import { EXIT, EXIT_CODES_HELP, type ExitCode } from './exit-codes.js';
import { packageVersion } from './package-version.js';
import type { CliRuntime } from './session.js';

const ENVIRONMENT_HELP = `
Environment:
  DATABASE_URL            postgres://… to use; when absent, an embedded PostgreSQL runs under DATA_DIR
                          (or the one the api already runs there is used)
  DATA_DIR                folder of the embedded PostgreSQL (default ./.data)
  EMBEDDED_POSTGRES_PORT  its port on 127.0.0.1 (default 54329)
  EVENT_STORE             postgres (default) or kurrentdb: where the events are (read models stay in PostgreSQL)
  KURRENTDB_CONNECTION_STRING
                          kurrentdb://host:2113?tls=false, for EVENT_STORE=kurrentdb and migrate-events
  AUTH_JWT_SECRET         the api's HS256 secret, for \`token\` (default: DATA_DIR/jwt-secret without DATABASE_URL)
`;

export function buildProgram(runtime: CliRuntime, version: string = packageVersion()): Command {
  // Settings made before the subcommands are added are inherited by them.
  const program = new Command('tthc-ledger')
    .description("An event-sourced record of how Vietnam's administrative procedures are offered online, per province.")
    .version(version, '-V, --version', 'print the version')
    .option('-v, --verbose', 'report the database start-up on stderr')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command')
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (text) => runtime.io.stdout.write(text),
      writeErr: (text) => runtime.io.stderr.write(text),
    })
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  for (const command of COMMANDS) command.register(program, runtime);
  program.addHelpText('after', ENVIRONMENT_HELP + EXIT_CODES_HELP);
  return program;
}

/** Parses `argv` (node, script, args…), runs the command, and returns the exit code. Never throws. */
export async function runCli(argv: readonly string[], runtime: CliRuntime, version?: string): Promise<ExitCode> {
  try {
    await buildProgram(runtime, version).parseAsync([...argv]);
    return EXIT.OK;
  } catch (error) {
    // Commander has already printed its message (or the help / version) through configureOutput.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    return reportFailure(error, runtime.io.stderr);
  }
}
