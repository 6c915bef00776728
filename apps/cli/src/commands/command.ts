import type { INestApplicationContext } from '@nestjs/common';
import type { Command } from 'commander';
import type { CliRuntime } from '../session.js';

/**
 * One subcommand. Its work lives in a plain function taking the Nest context and a writer (so tests
 * call it directly); `register` only declares the options and wires that function as the action.
 */
export interface CliCommand {
  register(program: Command, runtime: CliRuntime): void;
}

/** Runs `work` inside a session that is closed afterwards, whatever happens. */
export async function withSession<T>(
  runtime: CliRuntime,
  command: Command,
  work: (app: INestApplicationContext) => Promise<T>,
): Promise<T> {
  const { verbose } = command.optsWithGlobals<{ verbose?: boolean }>();
  const session = await runtime.openSession({ verbose: verbose === true });
  try {
    return await work(session.app);
  } finally {
    await session.close();
  }
}
