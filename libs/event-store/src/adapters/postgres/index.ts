export * from './postgres-event-store.js';
export * from './postgres-schema.js';
export * from './postgres-event-log.js';
