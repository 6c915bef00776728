export * from './application.module.js';
export * from './application.tokens.js';
export * from './command-context.js';
export * from './errors.js';
export * from './handle-command.js';
export * from './procedures/procedure.commands.js';
export * from './procedures/procedure.handlers.js';
export * from './procedures/procedure.queries.js';
