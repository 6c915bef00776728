import { EventStoreUnavailable } from '@tthc/event-store';
import { isDatabaseUnreachable } from '@tthc/platform';

/** The event store said so, or `pg` failed to reach or keep its connection: answered 503. */
export function isDatabaseUnavailable(error: unknown): boolean {
  return error instanceof EventStoreUnavailable || isDatabaseUnreachable(error);
}
