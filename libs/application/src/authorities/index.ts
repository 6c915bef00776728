export * from './authority.commands.js';
export * from './authority.handlers.js';
export * from './discontinue-procedures.js';
export * from './setup-authorities.js';
export * from './shipped-authorities.js';
