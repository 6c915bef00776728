import type { EventStore } from '../../event-store.port.js';
import type { KurrentDbEventStoreOptions } from './kurrentdb-event-store.js';

/**
 * Opens the KurrentDB event store at `connectionString` (`kurrentdb://host:2113?tls=false`, or
 * `kurrentdb+discover://…` for a cluster). The client (gRPC, protobuf and a native module, some
 * 130 ms to load) is only loaded by processes that use it; the store owns it and disposes of it on close.
 *
 * @example
 *   const store = await openKurrentDbEventStore(config.kurrentdbConnectionString);
 *   try { await store.readAll({ after: 0, limit: 100 }); } finally { await store.close(); }
 */
export async function openKurrentDbEventStore(
  connectionString: string,
  options: Omit<KurrentDbEventStoreOptions, 'ownsClient'> = {},
): Promise<EventStore> {
  const { KurrentDbEventStore } = await import('./kurrentdb-event-store.js');
  return KurrentDbEventStore.fromConnectionString(connectionString, options);
}
