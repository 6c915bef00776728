// Failures to reach or stay connected to the database, not statement errors: node socket errors,
// PostgreSQL's class 08 (connection), 57P0x (shutdown), 53300 (too many connections), and the
// refusals of a connection attempt (3D000 no such database, 28xxx authentication). What failed may be
// retried once the database is back. One list for the event store, the api and the cli.
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH',
  '08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03', '53300', '3D000', '28000', '28P01',
]);

/** True for an error of `pg` or node saying the database cannot be reached or used now. */
export function isDatabaseUnreachable(error: unknown): boolean {
  // Duck-typed: socket errors come from node's own realm, where `instanceof Error` can be false (jest).
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
  return typeof message === 'string' && /Connection terminated|timeout exceeded when trying to connect/i.test(message);
}

/**
 * A statement PostgreSQL refused for want of resources: class 53 (but 53300, a refused connection,
 * which is "unreachable" above) and the storage errors of class 58 (PostgreSQL's errcodes appendix).
 * The statement failed and changed nothing; it may succeed once an operator frees what ran out.
 */
export interface DatabaseResourceShortage {
  /** The SQLSTATE, e.g. `53100`. */
  sqlState: string;
  /** What ran out, for clients and logs: `DISK_FULL`, `OUT_OF_MEMORY`, … */
  reason: string;
  /** One sentence for an operator. */
  description: string;
}

const RESOURCE_SHORTAGES: Record<string, Omit<DatabaseResourceShortage, 'sqlState'>> = {
  '53000': { reason: 'INSUFFICIENT_RESOURCES', description: 'the database server ran short of resources' },
  '53100': { reason: 'DISK_FULL', description: 'the database server is out of disk space' },
  '53200': { reason: 'OUT_OF_MEMORY', description: 'the database server is out of memory' },
  '53400': { reason: 'CONFIGURATION_LIMIT_EXCEEDED', description: 'the database server reached a configured limit' },
  '58000': { reason: 'SYSTEM_ERROR', description: 'the database server met an operating-system error' },
  '58030': { reason: 'IO_ERROR', description: 'the database server cannot read or write its files (I/O error)' },
};

/**
 * The resource shortage `error` reports, looking through `cause` (wrappers such as the event
 * store's) and TypeORM's `driverError`; undefined for any other error.
 */
export function databaseResourceShortage(error: unknown): DatabaseResourceShortage | undefined {
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 5; depth++) {
    const { code, driverError, cause } = current as { code?: unknown; driverError?: unknown; cause?: unknown };
    if (typeof code === 'string' && code in RESOURCE_SHORTAGES) return { sqlState: code, ...RESOURCE_SHORTAGES[code] };
    current = driverError ?? cause;
  }
  return undefined;
}
