import { createHash, timingSafeEqual } from 'node:crypto';
import type { Viewer } from './context.js';
import type { Database } from './db/index.js';
import { apiError } from './domain/error-codes.js';
import type { Logger } from './log.js';

/** SHA-256 of an API key, the only form in which keys are stored. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export type Authenticator = {
  /** Whether requests must carry a key (ADMIN_API_KEY is set). */
  required: boolean;
  /**
   * Resolves `Bearer <key>` (HTTP header or WebSocket connectionParams.authorization) to a
   * viewer. A missing, unknown, revoked or expired key, when keys are required, is a
   * GraphQLError with extensions.code UNAUTHENTICATED; the key itself never appears in a
   * message. A database failure is thrown as it is (not a GraphQLError), so the caller can
   * answer "try again later" rather than "unauthenticated".
   */
  authenticate(authorization: string | null | undefined): Promise<Viewer>;
  /** Resolves once the lastUsedAt writes started so far have finished (shutdown, tests). */
  idle(): Promise<void>;
};

export type AuthenticatorOptions = {
  /** Where a failed lastUsedAt write is reported (it never fails a request). */
  log?: Logger;
  /** The clock (tests). Default: Date.now. */
  now?: () => number;
};

/** A key's lastUsedAt is written at most this often (per key and process), never once per request. */
export const LAST_USED_INTERVAL_MS = 60_000;

const ANONYMOUS: Viewer = { role: 'OPERATOR', tenantId: null, actor: 'anonymous', keyId: null, expiresAt: null };

export function createAuthenticator(db: Database, adminApiKey: string | null, options: AuthenticatorOptions = {}): Authenticator {
  const adminHash = adminApiKey ? Buffer.from(hashApiKey(adminApiKey), 'hex') : null;
  const now = options.now ?? Date.now;
  const unauthenticated = (message: string) => apiError('UNAUTHENTICATED', message, { extensions: { http: { status: 401 } } });
  /** keyId → when this process last wrote (or found) its lastUsedAt. */
  const lastUsedWritten = new Map<string, number>();
  const pending = new Set<Promise<void>>();

  /** Records that a key was used, without delaying the request and at most once a minute per key. */
  function touch(keyId: string, stored: Date | null, at: number) {
    const known = Math.max(lastUsedWritten.get(keyId) ?? 0, stored?.getTime() ?? 0);
    if (at - known < LAST_USED_INTERVAL_MS) return;
    if (lastUsedWritten.size > 10_000) {
      for (const [id, written] of lastUsedWritten) if (at - written >= LAST_USED_INTERVAL_MS) lastUsedWritten.delete(id);
    }
    lastUsedWritten.set(keyId, at);
    const cutoff = new Date(at - LAST_USED_INTERVAL_MS);
    // Conditional, so replicas that saw the same key in the same minute do not write twice.
    const write = db.prisma.apiKey
      .updateMany({ where: { id: keyId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: cutoff } }] }, data: { lastUsedAt: new Date(at) } })
      .then(
        () => {},
        (error: unknown) => {
          lastUsedWritten.delete(keyId);
          options.log?.warn('could not record when an API key was last used', { keyId, error });
        },
      )
      .finally(() => pending.delete(write));
    pending.add(write);
  }

  return {
    required: adminHash !== null,
    async authenticate(authorization) {
      if (!adminHash) return ANONYMOUS;
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
      if (!match) throw unauthenticated('an API key is required: send "Authorization: Bearer <key>"');
      const hash = hashApiKey(match[1]!);
      if (timingSafeEqual(Buffer.from(hash, 'hex'), adminHash)) return { role: 'OPERATOR', tenantId: null, actor: 'admin', keyId: null, expiresAt: null };
      const key = await db.prisma.apiKey.findUnique({ where: { keyHash: hash } });
      if (!key || key.revokedAt) throw unauthenticated('unknown or revoked API key');
      const at = now();
      if (key.expiresAt && key.expiresAt.getTime() <= at) throw unauthenticated('this API key has expired');
      touch(key.id, key.lastUsedAt, at);
      return { role: key.role, tenantId: key.tenantId, actor: `key:${key.id}`, keyId: key.id, expiresAt: key.expiresAt };
    },
    async idle() {
      while (pending.size) await Promise.all(pending);
    },
  };
}

/** A FORBIDDEN GraphQLError (HTTP 403 where the request came over HTTP). */
export function forbidden(message: string) {
  return apiError('FORBIDDEN', message, { extensions: { http: { status: 403 } } });
}

/** Operator keys may mutate; viewer keys read and subscribe. */
function assertOperator(viewer: Viewer): void {
  if (viewer.role !== 'OPERATOR') throw forbidden('this operation needs an operator key');
}

/** Account-wide changes (tenants, invoices, syncs, API keys) are not for tenant-scoped keys. */
function assertUnscoped(viewer: Viewer): void {
  if (viewer.tenantId) throw forbidden('a tenant-scoped key cannot change account-wide data');
}

/**
 * The check of every mutation: an operator key that is not tenant-scoped (the operator check
 * first, so a scoped viewer key hears that it needs an operator key). FORBIDDEN otherwise.
 */
export function assertAccountOperator(viewer: Viewer): void {
  assertOperator(viewer);
  assertUnscoped(viewer);
}
