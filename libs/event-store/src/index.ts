export * from './event-store.port.js';
export * from './event-store.tokens.js';
export * from './adapters/postgres/index.js';
export * from './adapters/in-memory/in-memory-event-store.js';
export * from './event-store.module.js';
