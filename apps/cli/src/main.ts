import 'reflect-metadata';
import { runCli } from './cli.js';
import { processIO } from './io.js';
import { processRuntime } from './session.js';

// Every command closes what it opened (Nest context, pool, embedded PostgreSQL), so the process ends
// by itself once the event loop is empty; nothing here calls process.exit.
const exitCode = await runCli(process.argv, processRuntime(process.env, processIO()));
process.exitCode = exitCode;
