/**
 * Every PostgreSQL advisory lock the project takes, in one place: advisory locks share one key space
 * per database (session and transaction locks alike), so two uses of one key wait on each other —
 * a migration on a key that a projector holds for its lifetime would wait as long. Two-key form
 * (`pg_advisory_lock(class, object)`); a `…Class` is a class whose object is computed per use.
 * The append functions' SQL (libs/event-store/src/adapters/postgres/postgres-schema.ts) spells its
 * keys as literals: they are listed here too.
 */
export const ADVISORY_LOCKS = {
  /** Schema migrations, one key per component (runVersionedMigrations, migrateReadModels). */
  eventStoreMigrations: [74000, 0],
  readModelMigrations: [74000, 1],
  apiMigrations: [74000, 2],
  /** Held by the leading projector for its lifetime (ProjectorElection). */
  projectorLeader: [74005, 0],
  /** (74001, hashtext(stream id)): appends to one stream, until commit (SQL). */
  streamClass: 74001,
  /** The global order of appends: positions and transaction id taken together (SQL). */
  globalAppend: [74002, 0],
  /** (74003, hashtext(event id)): one new event id at a time (SQL). */
  eventIdClass: 74003,
  /** The log digest's checkpoints (postgres-event-log.ts). */
  logDigest: [74004, 0],
  /** (74006, holder id): an api process's lease, held for its lifetime (ProcessLease). */
  processLeaseClass: 74006,
  /** (74010, hashtext(name)): a rebuild's side tables, and a resumable migrate-events run. */
  rebuildClass: 74010,
} as const;
