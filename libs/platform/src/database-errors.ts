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
