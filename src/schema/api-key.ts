import { randomBytes } from 'node:crypto';
import { assertAccountOperator, hashApiKey } from '../auth.js';
import type { Context } from '../context.js';
import { apiKeyScope } from '../scope.js';
import { builder } from './builder.js';
import { ApiKeyRoleEnum } from './enums.js';
import { decodeInputId } from './input.js';
import { assertPageArgs, connectionSizes, namedConnection } from './pagination.js';
import { payloadType, userError, type UserErrorShape } from './payload.js';

/** Secrets start with this, so a leaked one is recognisable (secret scanners, logs). */
export const API_KEY_PREFIX = 'doig_';
/** Longest key name. */
export const MAX_API_KEY_NAME = 200;

export const ApiKeyRef = builder.prismaNode('ApiKey', {
  description: 'An API key. The secret is shown once, by createApiKey, and stored only as a hash.',
  id: { field: 'id' },
  // For anyone but an unscoped operator, node(id) of a key is null, as for a missing one.
  nullable: true,
  findUnique: (id, ctx) => ({ id, AND: [apiKeyScope(ctx.viewer)] }),
  fields: (t) => ({
    name: t.exposeString('name', { description: 'What the key is for, as given at creation.' }),
    role: t.expose('role', { type: ApiKeyRoleEnum, description: 'What the key may do.' }),
    tenant: t.relation('tenant', { nullable: true, description: "Set for a key that sees only this tenant's data." }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the key was created.' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true, description: 'When the key stops working; null: never.' }),
    lastUsedAt: t.expose('lastUsedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the key last authenticated a request (recorded at most once a minute).',
    }),
    revokedAt: t.expose('revokedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the key was revoked (refused from then on); null while it is not.',
    }),
  }),
});

export const ApiKeyConnection = namedConnection(ApiKeyRef, 'ApiKey');

const keyWhere = (includeRevoked: boolean | null | undefined) => (includeRevoked ? {} : { revokedAt: null });

builder.queryField('apiKeys', (t) =>
  t.prismaConnection(
    {
      type: 'ApiKey',
      cursor: 'id',
      ...connectionSizes,
      description: 'Unscoped operators only. Newest first; revoked keys only with includeRevoked. Never shows a secret.',
      args: { includeRevoked: t.arg.boolean({ description: 'Also list revoked keys (default: false).' }) },
      totalCount: (_parent, args, ctx) => {
        assertAccountOperator(ctx.viewer);
        return ctx.db.prisma.apiKey.count({ where: keyWhere(args.includeRevoked) });
      },
      resolve: (query, _parent, args, ctx) => {
        assertAccountOperator(ctx.viewer);
        assertPageArgs(args);
        return ctx.db.prisma.apiKey.findMany({ ...query, where: keyWhere(args.includeRevoked), orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
      },
    },
    ApiKeyConnection,
  ),
);

// Control characters (NUL among them) have no place in a name shown in listings.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f]/;

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  description: 'A new API key.',
  fields: (t) => ({
    name: t.string({ required: true, description: `What the key is for: 1 to ${MAX_API_KEY_NAME} characters, no control characters.` }),
    role: t.field({ type: ApiKeyRoleEnum, required: true, description: 'What the key may do.' }),
    tenantId: t.id({ description: "Scope the key to this tenant: it then sees only that tenant's data." }),
    expiresAt: t.field({ type: 'DateTime', description: 'When the key stops working (in the future). Default: never.' }),
  }),
});

const CreateApiKeyPayload = payloadType('CreateApiKeyPayload', {
  apiKey: { type: ApiKeyRef, description: 'The new key (without its secret); null when userErrors say why not.' },
  secret: { type: 'String', description: 'The key itself: returned once, never again.' },
});

builder.mutationField('createApiKey', (t) =>
  t.field({
    type: CreateApiKeyPayload,
    description:
      'Unscoped operators only. Creates a key and returns its secret once (only a hash is stored). userErrors: ' +
      `INVALID_INPUT (name blank, over ${MAX_API_KEY_NAME} characters or with control characters; malformed tenantId; ` +
      'expiresAt not in the future), NOT_FOUND (no tenant has tenantId).',
    args: { input: t.arg({ type: CreateApiKeyInput, required: true, description: 'The key to create.' }) },
    resolve: async (_parent, { input }, ctx) => {
      assertAccountOperator(ctx.viewer);
      const errors: UserErrorShape[] = [];
      const name = input.name.trim();
      if (!name || name.length > MAX_API_KEY_NAME || CONTROL.test(name)) {
        errors.push(userError('INVALID_INPUT', `name must be 1 to ${MAX_API_KEY_NAME} characters without control characters`, ['input', 'name']));
      }
      if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
        errors.push(userError('INVALID_INPUT', 'expiresAt must be in the future', ['input', 'expiresAt']));
      }
      const tenantId = input.tenantId == null ? null : decodeInputId('Tenant', input.tenantId, 'tenantId', errors);
      if (tenantId && !(await ctx.db.prisma.tenant.findUnique({ where: { id: tenantId }, select: { id: true } }))) {
        errors.push(userError('NOT_FOUND', 'no tenant has this id', ['input', 'tenantId']));
      }
      if (errors.length) return { apiKey: null, secret: null, userErrors: errors };
      const secret = API_KEY_PREFIX + randomBytes(32).toString('base64url');
      const apiKey = await ctx.db.prisma.apiKey.create({
        data: { name, role: input.role, tenantId, keyHash: hashApiKey(secret), expiresAt: input.expiresAt ?? null },
      });
      ctx.log.info('API key created', { keyId: apiKey.id, role: apiKey.role, tenantId, actor: ctx.viewer.actor });
      return { apiKey, secret, userErrors: [] };
    },
  }),
);

const RevokeApiKeyInput = builder.inputType('RevokeApiKeyInput', {
  description: 'The key to revoke.',
  fields: (t) => ({ id: t.id({ required: true, description: 'Global id of the API key.' }) }),
});

const RevokeApiKeyPayload = payloadType('RevokeApiKeyPayload', {
  apiKey: { type: ApiKeyRef, description: 'The revoked key; null when userErrors say why not.' },
});

/**
 * Tells every replica (through pub/sub) to end the key's open sockets. Runs after the commit and
 * never fails the mutation: the key is refused from the moment revokedAt is stored, whatever
 * happens to the message.
 */
function announceRevocation(ctx: Context, keyId: string): void {
  ctx.pubsub.publish('apiKeyRevoked', { keyId }).catch((error: unknown) => {
    ctx.log.warn('could not announce an API key revocation; its open sockets end when they next authenticate', { keyId, error });
  });
}

builder.mutationField('revokeApiKey', (t) =>
  t.field({
    type: RevokeApiKeyPayload,
    description:
      'Unscoped operators only. Open subscriptions of the key end within seconds. The key is refused from the moment this answers. ' +
      'userErrors: INVALID_INPUT (malformed id), NOT_FOUND (no such key), NO_CHANGE (already revoked; the payload carries the key).',
    args: { input: t.arg({ type: RevokeApiKeyInput, required: true, description: 'The key to revoke.' }) },
    resolve: async (_parent, { input }, ctx) => {
      assertAccountOperator(ctx.viewer);
      const errors: UserErrorShape[] = [];
      const id = decodeInputId('ApiKey', input.id, 'id', errors);
      if (!id) return { apiKey: null, userErrors: errors };
      const { count } = await ctx.db.prisma.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
      const apiKey = await ctx.db.prisma.apiKey.findUnique({ where: { id } });
      if (!apiKey) return { apiKey: null, userErrors: [userError('NOT_FOUND', 'no API key has this id', ['input', 'id'])] };
      // Announced again on a repeated revocation too: a retry also repairs a lost message.
      announceRevocation(ctx, id);
      if (!count) return { apiKey, userErrors: [userError('NO_CHANGE', 'the key was already revoked', ['input', 'id'])] };
      ctx.log.info('API key revoked', { keyId: id, actor: ctx.viewer.actor });
      return { apiKey, userErrors: [] };
    },
  }),
);
