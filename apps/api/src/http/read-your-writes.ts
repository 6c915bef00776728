import { ProjectionBehind } from '@tthc/read-models';

/**
 * Where the read models' position is read: the queries' side (ReadModelReader: the read replica when
 * DATABASE_READ_URL is set, so its replication lag is included), not the projector's.
 */
export interface ReadSidePosition {
  waitForPosition(position: number, timeoutMs: number): Promise<boolean>;
  checkpoint(): Promise<number>;
}

/** How long a query waits for the read models to reach a position before answering 503. */
export const READ_YOUR_WRITES_WAIT_MS = 5_000;

/**
 * Waits until the read models reflect `position`.
 *
 * @throws ProjectionBehind (503 with Retry-After) when they have not after `timeoutMs`.
 */
export async function waitForReadModels(projection: ReadSidePosition, position: number, timeoutMs = READ_YOUR_WRITES_WAIT_MS): Promise<void> {
  const started = Date.now();
  if (!(await projection.waitForPosition(position, timeoutMs))) {
    throw new ProjectionBehind(position, await projection.checkpoint(), Date.now() - started);
  }
}

/**
 * A query's `afterPosition` (read your writes), and its `asOfPosition` too: an answer as of a position
 * needs the read models there. Nothing to wait for when neither is given.
 */
export async function readYourWrites(projection: ReadSidePosition, afterPosition: number | undefined, asOfPosition?: number): Promise<void> {
  if (afterPosition === undefined && asOfPosition === undefined) return;
  await waitForReadModels(projection, Math.max(afterPosition ?? 0, asOfPosition ?? 0));
}
