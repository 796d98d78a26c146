import { createHash, timingSafeEqual } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { Viewer } from './context.js';
import type { Database } from './db/index.js';

/** SHA-256 of an API key, the only form in which keys are stored. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export type Authenticator = {
  /** Whether requests must carry a key (ADMIN_API_KEY is set). */
  required: boolean;
  /**
   * Resolves `Bearer <key>` (HTTP header or WebSocket connectionParams.authorization) to a
   * viewer. A missing or unknown key, when keys are required, is a GraphQLError with
   * extensions.code UNAUTHENTICATED; the key itself never appears in a message.
   */
  authenticate(authorization: string | null | undefined): Promise<Viewer>;
};

const ANONYMOUS: Viewer = { role: 'OPERATOR', tenantId: null, actor: 'anonymous', keyId: null, expiresAt: null };

export function createAuthenticator(db: Database, adminApiKey: string | null): Authenticator {
  const adminHash = adminApiKey ? Buffer.from(hashApiKey(adminApiKey), 'hex') : null;
  const unauthenticated = (message: string) =>
    new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
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
      return { role: key.role, tenantId: key.tenantId, actor: `key:${key.id}`, keyId: key.id, expiresAt: key.expiresAt };
    },
  };
}

/** Operator keys may mutate; viewer keys read and subscribe. */
export function assertOperator(viewer: Viewer): void {
  if (viewer.role !== 'OPERATOR') {
    throw new GraphQLError('this operation needs an operator key', { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
  }
}

/** Account-wide changes (tenants, invoices, syncs) are not for tenant-scoped keys. */
export function assertUnscoped(viewer: Viewer): void {
  if (viewer.tenantId) {
    throw new GraphQLError('a tenant-scoped key cannot change account-wide data', { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
  }
}
