import { WrongExpectedVersion, type EventStore } from './event-store.port.js';

/** How an append ended: committed, refused by optimistic concurrency, or failed otherwise. */
export type AppendOutcome = 'ok' | 'conflict' | 'error';

/** Told of every append: its duration in seconds (as the caller waited, group commit included) and its outcome. */
export type AppendObserver = (seconds: number, outcome: AppendOutcome) => void;

const APPENDS = new Set<PropertyKey>(['appendToStream', 'appendToStreams']);

/**
 * The same store, with `appendToStream` and `appendToStreams` timed for `observe` (the api's append
 * latency histogram). A Proxy rather than a class that delegates: every other member, present or
 * added to the port later, passes through untouched, and `instanceof` still sees the adapter.
 *
 * @example const store = timedAppends(new PostgresEventStore(pool), (s, outcome) => histogram.observe({ outcome }, s));
 */
export function timedAppends<S extends EventStore>(store: S, observe: AppendObserver): S {
  return new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (!APPENDS.has(property)) return method.bind(target);
      return async (...args: unknown[]) => {
        const started = process.hrtime.bigint();
        const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
        try {
          const result = await method.apply(target, args);
          observe(seconds(), 'ok');
          return result;
        } catch (error) {
          observe(seconds(), error instanceof WrongExpectedVersion ? 'conflict' : 'error');
          throw error;
        }
      };
    },
  });
}
