export const READ_MODEL_DATA_SOURCE = Symbol('READ_MODEL_DATA_SOURCE');
export const PROJECTION_RUNNER = Symbol('PROJECTION_RUNNER');
export const READ_MODEL_READER = Symbol('READ_MODEL_READER');
export const READ_MODEL_VERIFIER = Symbol('READ_MODEL_VERIFIER');
/** The ProjectorElection of a process that runs the projector (ReadModelsModule with runProjector). */
export const PROJECTOR_ELECTION = Symbol('PROJECTOR_ELECTION');
/** The QueryRouter of the read side: the replica (DATABASE_READ_URL) or the primary. */
export const QUERY_ROUTER = Symbol('QUERY_ROUTER');
/** The read replica's pg pool, or null without DATABASE_READ_URL. */
export const READ_MODEL_REPLICA_POOL = Symbol('READ_MODEL_REPLICA_POOL');
/** The query handlers' own pg pool on the primary (read-only sessions, the query bounds), apart from the projector's DataSource. */
export const READ_MODEL_QUERY_POOL = Symbol('READ_MODEL_QUERY_POOL');
