// Only what loads without the KurrentDB client: the adapter itself is imported on demand.
export * from './open-kurrentdb-event-store.js';
export type { KurrentDbEventStoreOptions } from './kurrentdb-event-store.js';
