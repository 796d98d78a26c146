// Manages API keys through the running server's GraphQL API (createApiKey, apiKeys,
// revokeApiKey), so it works while the server holds the database, embedded or not.
// `npm run api-key -- --help` for usage. Exit codes: 0 done, 1 failed, 2 usage error.
import { parseArgs } from 'node:util';

const USAGE = `usage: npm run api-key -- create --role VIEWER|OPERATOR --name <name> [--tenant <slug>] [--expires <ISO date>]
       npm run api-key -- list [--include-revoked]
       npm run api-key -- revoke <key id>

  create             creates a key and prints its secret once (the server stores only a hash);
                     --tenant scopes it to one tenant's data, --expires ends it at that time
  list               lists keys (never their secrets), newest first; revoked ones too with --include-revoked
  revoke <key id>    revokes a key at once; its open subscriptions end within seconds

Every command talks to the running server:
  --url <url>        its GraphQL endpoint (default: http://$HOST:$PORT/graphql, else http://127.0.0.1:4000/graphql)
  --key <key>        an unscoped operator key (default: $ADMIN_API_KEY; prefer the variable,
                     since command-line arguments are visible to other users of the machine)
  -h, --help         prints this help`;

/** A mistake in the command line: usage is printed, exit code 2. */
class UsageError extends Error {}
/** The command could not be done: one line is printed, exit code 1. */
class CliError extends Error {}

const OPTIONS = {
  role: { type: 'string' },
  name: { type: 'string' },
  tenant: { type: 'string' },
  expires: { type: 'string' },
  'include-revoked': { type: 'boolean' },
  url: { type: 'string' },
  key: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The options each command accepts besides --url, --key and --help. */
const COMMAND_OPTIONS: Record<string, readonly string[]> = {
  create: ['role', 'name', 'tenant', 'expires'],
  list: ['include-revoked'],
  revoke: [],
};
const COMMAND_POSITIONALS: Record<string, number> = { create: 0, list: 0, revoke: 1 };

type Args = ReturnType<typeof parse>;

function parse(argv: string[]) {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.split('. ')[0]!);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (!command) throw new UsageError('a command is required');
  const allowed = COMMAND_OPTIONS[command];
  if (!allowed) throw new UsageError(`unknown command "${command}"`);
  for (const name of Object.keys(values)) {
    if (!['url', 'key', 'help', ...allowed].includes(name)) throw new UsageError(`${command} does not take --${name}`);
  }
  if (rest.length !== COMMAND_POSITIONALS[command]) {
    throw new UsageError(command === 'revoke' ? 'revoke takes one key id' : `${command} takes no arguments, got "${rest.join(' ')}"`);
  }
  return { command, id: rest[0], values };
}

function endpoint(values: Args['values'], env: NodeJS.ProcessEnv): string {
  let text = values.url;
  if (!text) {
    const host = { '0.0.0.0': '127.0.0.1', '::': '::1', '': '127.0.0.1' }[env.HOST ?? ''] ?? env.HOST!;
    text = `http://${host.includes(':') ? `[${host}]` : host}:${env.PORT || 4000}/graphql`;
  }
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
    return url.toString();
  } catch {
    throw new UsageError(`--url must be an http(s) URL, got "${text}"`);
  }
}

type GraphQLErrorShape = { message: string; extensions?: { code?: string } };

/** One GraphQL request to the server; every failure becomes a one-line CliError. */
function client(url: string, key: string | undefined) {
  return async function request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      const e = error as Error & { cause?: { code?: string; message?: string } };
      const reason = e.name === 'TimeoutError' ? 'no answer within 30 s' : (e.cause?.code ?? e.cause?.message ?? e.message);
      throw new CliError(`cannot reach the server at ${url}: ${reason} (is it running? pass --url, or set PORT and HOST as for the server)`);
    }
    let body: { data?: T | null; errors?: GraphQLErrorShape[] };
    try {
      body = JSON.parse(await res.text());
    } catch {
      throw new CliError(`unexpected answer from ${url}: HTTP ${res.status}, not GraphQL (is --url the server's /graphql endpoint?)`);
    }
    const error = body.errors?.[0];
    const code = error?.extensions?.code;
    if (res.status === 401 || code === 'UNAUTHENTICATED') {
      throw new CliError(
        key
          ? `the server refused the API key (${error?.message ?? `HTTP ${res.status}`}): set ADMIN_API_KEY or pass --key with an unscoped operator key`
          : 'the server requires an API key: set ADMIN_API_KEY or pass --key with an unscoped operator key',
      );
    }
    if (code === 'FORBIDDEN') throw new CliError(`this key may not manage API keys (only unscoped operator keys can): ${error!.message}`);
    if (error || !body.data) throw new CliError(`the server answered: ${error?.message ?? `HTTP ${res.status} without data`}`);
    return body.data;
  };
}

type UserError = { code: string; message: string };
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

function failOn(userErrors: UserError[]): void {
  if (userErrors.length) throw new CliError(userErrors.map((e) => `${e.code}: ${e.message}`).join('; '));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Accepts the key's GraphQL id, or its database id (a UUID) as older versions printed. */
const keyId = (id: string) => (UUID.test(id) ? Buffer.from(`ApiKey:${id}`).toString('base64') : id);
const when = (iso: string | null, none = '-') => (iso ? iso.replace(/\.\d{3}Z$/, 'Z') : none);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const { command, id, values } = parse(argv);
  const key = values.key ?? (env.ADMIN_API_KEY || undefined);

  if (command === 'create') {
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
    const request = client(endpoint(values, env), key);
    let tenantId: string | null = null;
    if (values.tenant !== undefined) {
      const found = await request<{ tenant: { id: string } | null }>('query($slug: String!) { tenant(slug: $slug) { id } }', { slug: values.tenant });
      if (!found.tenant) throw new CliError(`no tenant with slug "${values.tenant}"`);
      tenantId = found.tenant.id;
    }
    const { createApiKey: made } = await request<{ createApiKey: { apiKey: ApiKeyNode | null; secret: string | null; userErrors: UserError[] } }>(
      `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { ${KEY_FIELDS} } secret userErrors { code message } } }`,
      { input: { name, role, tenantId, expiresAt } },
    );
    failOn(made.userErrors);
    const k = made.apiKey!;
    console.log(
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

  const request = client(endpoint(values, env), key);
  if (command === 'revoke') {
    const { revokeApiKey: r } = await request<{ revokeApiKey: { apiKey: ApiKeyNode | null; userErrors: UserError[] } }>(
      `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { ${KEY_FIELDS} } userErrors { code message } } }`,
      { id: keyId(id!) },
    );
    if (r.apiKey && r.userErrors.every((e) => e.code === 'NO_CHANGE')) {
      console.log(`${r.userErrors.length ? 'already revoked' : 'revoked'} ${r.apiKey.id} (${r.apiKey.name}) at ${when(r.apiKey.revokedAt)}`);
      return;
    }
    failOn(r.userErrors);
    return;
  }

  const keys: ApiKeyNode[] = [];
  let after: string | null = null;
  for (;;) {
    const page: { apiKeys: { edges: { node: ApiKeyNode }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } = await request(
      `query($after: String, $rev: Boolean) { apiKeys(first: 100, after: $after, includeRevoked: $rev) {
        edges { node { ${KEY_FIELDS} } } pageInfo { hasNextPage endCursor } } }`,
      { after, rev: values['include-revoked'] ?? false },
    );
    keys.push(...page.apiKeys.edges.map((e) => e.node));
    if (!page.apiKeys.pageInfo.hasNextPage) break;
    after = page.apiKeys.pageInfo.endCursor;
  }
  if (!keys.length) {
    console.log(values['include-revoked'] ? 'no API keys' : 'no active API keys (--include-revoked shows revoked ones)');
    return;
  }
  console.log(
    table([
      ['ID', 'NAME', 'ROLE', 'TENANT', 'CREATED', 'EXPIRES', 'LAST USED', 'REVOKED'],
      ...keys.map((k) => [k.id, k.name, k.role, k.tenant?.slug ?? '-', when(k.createdAt), when(k.expiresAt, 'never'), when(k.lastUsedAt), when(k.revokedAt)]),
    ]),
  );
}

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  console.log(USAGE);
} else {
  try {
    await run(argv, process.env);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else {
      console.error(error instanceof CliError ? error.message : `unexpected error: ${(error as Error).message}`);
      process.exitCode = 1;
    }
  }
}
