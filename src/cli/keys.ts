// `keys create|list|revoke`: API keys through createApiKey, apiKeys and revokeApiKey.
import { CliError, CONNECTION_HELP, EXIT_CODES_HELP, failOn, UsageError, type Api, type UserError } from './api.js';
import { table, when } from './format.js';

export const KEYS_OPTIONS = {
  role: { type: 'string' },
  name: { type: 'string' },
  tenant: { type: 'string' },
  expires: { type: 'string' },
  'include-revoked': { type: 'boolean' },
} as const;

/** The options each subcommand accepts, and how many positionals. */
export const KEYS_COMMANDS: Record<string, { options: readonly string[]; positionals: number }> = {
  create: { options: ['role', 'name', 'tenant', 'expires'], positionals: 0 },
  list: { options: ['include-revoked'], positionals: 0 },
  revoke: { options: [], positionals: 1 },
};

/** Help of the keys commands; `prog` is how the user ran them (`inventory keys`, `npm run api-key --`). */
export const keysUsage = (prog: string) => `usage: ${prog} create --role VIEWER|OPERATOR --name <name> [--tenant <slug>] [--expires <ISO date>]
       ${prog} list [--include-revoked]
       ${prog} revoke <key id>

  create             creates a key and prints its secret once (the server stores only a hash);
                     --tenant scopes it to one tenant's data, --expires ends it at that time
  list               lists keys (never their secrets), newest first; revoked ones too with --include-revoked
  revoke <key id>    revokes a key at once; its open subscriptions end within seconds

Every command talks to the running server with an unscoped operator key.
${CONNECTION_HELP}

${EXIT_CODES_HELP}`;

type ApiKeyNode = {
  id: string;
  name: string;
  role: string;
  tenant: { slug: string } | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
};
const KEY_FIELDS = 'id name role tenant { slug } createdAt expiresAt lastUsedAt revokedAt';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Accepts the key's GraphQL id, or its database id (a UUID) as older versions printed. */
const keyId = (id: string) => (UUID.test(id) ? Buffer.from(`ApiKey:${id}`).toString('base64') : id);

type KeysValues = { role?: string; name?: string; tenant?: string; expires?: string; 'include-revoked'?: boolean };

/** Checks what needs no server (usage errors come before any request). */
export function checkKeysArgs(command: string, values: KeysValues): { role?: string; name?: string; expiresAt?: string | null } {
  if (command !== 'create') return {};
  const role = values.role?.toUpperCase();
  if (role !== 'VIEWER' && role !== 'OPERATOR') throw new UsageError('create needs --role VIEWER or --role OPERATOR');
  const name = values.name?.trim();
  if (!name) throw new UsageError('create needs --name <name>');
  let expiresAt: string | null = null;
  if (values.expires !== undefined) {
    const date = new Date(values.expires);
    if (!/^\d{4}-\d\d-\d\d/.test(values.expires) || Number.isNaN(date.getTime())) {
      throw new UsageError(`--expires must be an ISO date such as 2027-01-31 or 2027-01-31T18:00:00Z, got "${values.expires}"`);
    }
    expiresAt = date.toISOString();
  }
  return { role, name, expiresAt };
}

export async function runKeys(api: Api, command: string, id: string | undefined, values: KeysValues, out: (line: string) => void): Promise<void> {
  if (command === 'create') {
    const { role, name, expiresAt } = checkKeysArgs(command, values);
    let tenantId: string | null = null;
    if (values.tenant !== undefined) {
      const found = await api.request<{ tenant: { id: string } | null }>('query($slug: String!) { tenant(slug: $slug) { id } }', { slug: values.tenant });
      if (!found.tenant) throw new CliError(`no tenant with slug "${values.tenant}"`);
      tenantId = found.tenant.id;
    }
    const { createApiKey: made } = await api.request<{ createApiKey: { apiKey: ApiKeyNode | null; secret: string | null; userErrors: UserError[] } }>(
      `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { ${KEY_FIELDS} } secret userErrors { code message } } }`,
      { input: { name, role, tenantId, expiresAt } },
    );
    failOn(made.userErrors);
    const k = made.apiKey!;
    out(
      [
        `id:      ${k.id}`,
        `name:    ${k.name}`,
        `role:    ${k.role}`,
        ...(k.tenant ? [`tenant:  ${k.tenant.slug}`] : []),
        `expires: ${when(k.expiresAt, 'never')}`,
        `key:     ${made.secret}`,
        '(the key is shown once: store it now; send it as "Authorization: Bearer <key>")',
      ].join('\n'),
    );
    return;
  }

  if (command === 'revoke') {
    const { revokeApiKey: r } = await api.request<{ revokeApiKey: { apiKey: ApiKeyNode | null; userErrors: UserError[] } }>(
      `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { ${KEY_FIELDS} } userErrors { code message } } }`,
      { id: keyId(id!) },
    );
    if (r.apiKey && r.userErrors.every((e) => e.code === 'NO_CHANGE')) {
      out(`${r.userErrors.length ? 'already revoked' : 'revoked'} ${r.apiKey.id} (${r.apiKey.name}) at ${when(r.apiKey.revokedAt)}`);
      return;
    }
    failOn(r.userErrors);
    return;
  }

  const keys: ApiKeyNode[] = [];
  let after: string | null = null;
  for (;;) {
    const page: { apiKeys: { edges: { node: ApiKeyNode }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } = await api.request(
      `query($after: String, $rev: Boolean) { apiKeys(first: 100, after: $after, includeRevoked: $rev) {
        edges { node { ${KEY_FIELDS} } } pageInfo { hasNextPage endCursor } } }`,
      { after, rev: values['include-revoked'] ?? false },
    );
    keys.push(...page.apiKeys.edges.map((e) => e.node));
    if (!page.apiKeys.pageInfo.hasNextPage) break;
    after = page.apiKeys.pageInfo.endCursor;
  }
  if (!keys.length) {
    out(values['include-revoked'] ? 'no API keys' : 'no active API keys (--include-revoked shows revoked ones)');
    return;
  }
  out(
    table([
      ['ID', 'NAME', 'ROLE', 'TENANT', 'CREATED', 'EXPIRES', 'LAST USED', 'REVOKED'],
      ...keys.map((k) => [k.id, k.name, k.role, k.tenant?.slug ?? '-', when(k.createdAt), when(k.expiresAt, 'never'), when(k.lastUsedAt), when(k.revokedAt)]),
    ]),
  );
}
