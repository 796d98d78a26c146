/**
 * Error codes of a database that cannot be reached: the socket's (refused, reset, timed out),
 * PostgreSQL's shutdown codes and Prisma's "can't reach" family. PostgreSQL's connection
 * exceptions (SQLSTATE class 08) are matched by prefix.
 */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  '57P01',
  '57P02',
  '57P03',
  'P1001',
  'P1002',
  'P1017',
]);

/** What the pg driver says, without a code, when the server goes away under a query. */
const UNREACHABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Connection ended unexpectedly/i;

/**
 * Whether an error (or one of its causes) says the database could not be reached, as opposed to
 * a bug or a bad statement. Such an error is answered "try again later" (SERVICE_UNAVAILABLE),
 * never masked as an unexpected error.
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 8; depth++) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
    if (typeof message === 'string' && UNREACHABLE_MESSAGES.test(message)) return true;
    current = cause;
  }
  return false;
}
