import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAuthenticator, hashApiKey } from '../../src/auth.js';
import type { Topics } from '../../src/pubsub.js';
import { testDatabaseTargets } from '../helpers/db.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { gql, type Edges, type GqlError, type UserError } from '../helpers/gql.js';

const ADMIN = 'admin-key-for-api-key-tests';
const admin = { authorization: `Bearer ${ADMIN}` };
const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');
const rawId = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':')[1]!;
const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

const KEY_FIELDS = 'id name role tenant { slug } createdAt expiresAt lastUsedAt revokedAt';
const CREATE = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) {
  apiKey { ${KEY_FIELDS} } secret userErrors { code message path } } }`;
const REVOKE = `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { ${KEY_FIELDS} } userErrors { code message path } } }`;
/** The fields of KEY_FIELDS the tests read one by one (the others are compared whole). */
type TApiKey = { id: string; expiresAt: string | null; lastUsedAt: string | null; revokedAt: string | null };
type TKeyPage = { apiKeys: Edges<TApiKey> & { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
type TRevoked = { revokeApiKey: { apiKey: TApiKey; userErrors: UserError[] } };
type TTenantSlugs = { tenants: Edges<{ slug: string }> };

const LIST = `query($after: String, $rev: Boolean) { apiKeys(first: 100, after: $after, includeRevoked: $rev) {
  totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${KEY_FIELDS} } } } }`;

describe.each(testDatabaseTargets())('API keys managed over GraphQL on $name', (target) => {
  let t: TestApp;
  let acme: { id: string; slug: string };

  beforeAll(async () => {
    t = await startTestApp(await target.open(), { ADMIN_API_KEY: ADMIN });
    acme = await t.db.prisma.tenant.create({ data: { slug: 'acme', name: 'Acme' } });
    await t.db.prisma.tenant.create({ data: { slug: 'globex', name: 'Globex' } });
  });
  afterAll(async () => {
    await t?.stop();
    await t?.db.close();
  });

  async function create(input: Record<string, unknown>) {
    const r = await gql<{ createApiKey: { apiKey: TApiKey; secret: string | null; userErrors: UserError[] } }>(t.app, CREATE, { input }, ADMIN);
    expect(r.errors).toBeUndefined();
    return r.data.createApiKey;
  }

  it('createApiKey returns the secret once; the key then works over HTTP with its role and tenant scope', async () => {
    const made = await create({ name: 'acme dashboard', role: 'VIEWER', tenantId: gid('Tenant', acme.id) });
    expect(made.userErrors).toEqual([]);
    expect(made.secret).toMatch(/^doig_[A-Za-z0-9_-]{40,}$/);
    expect(made.apiKey).toMatchObject({ name: 'acme dashboard', role: 'VIEWER', tenant: { slug: 'acme' }, expiresAt: null, revokedAt: null, lastUsedAt: null });
    const row = await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: rawId(made.apiKey.id) } });
    expect(row.keyHash).toBe(hashApiKey(made.secret!));
    expect(JSON.stringify(row)).not.toContain(made.secret);

    const tenants = await gql<TTenantSlugs>(t.app, `{ tenants(first: 10) { edges { node { slug } } } }`, undefined, made.secret!);
    expect(tenants.errors).toBeUndefined();
    expect(tenants.data.tenants.edges.map((e) => e.node.slug)).toEqual(['acme']);
    const mutate = await t.gql(`mutation { createTenant(input: { slug: "nope", name: "Nope" }) { userErrors { code } } }`, undefined, bearer(made.secret!));
    expect(mutate.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const operator = await create({ name: 'ops', role: 'OPERATOR' });
    const all = await gql<TTenantSlugs>(t.app, `{ tenants(first: 10) { edges { node { slug } } } }`, undefined, operator.secret!);
    expect(all.data.tenants.edges.map((e) => e.node.slug)).toEqual(expect.arrayContaining(['acme', 'globex']));
  });

  it('apiKeys lists keys without secrets or hashes; revoked ones only with includeRevoked', async () => {
    const kept = await create({ name: 'kept', role: 'VIEWER' });
    const gone = await create({ name: 'gone', role: 'OPERATOR' });
    expect((await gql<TRevoked>(t.app, REVOKE, { id: gone.apiKey.id }, ADMIN)).data.revokeApiKey.userErrors).toEqual([]);

    const active = await gql<TKeyPage>(t.app, LIST, {}, ADMIN);
    expect(active.errors).toBeUndefined();
    const activeIds = active.data.apiKeys.edges.map((e) => e.node.id);
    expect(activeIds).toContain(kept.apiKey.id);
    expect(activeIds).not.toContain(gone.apiKey.id);
    expect(active.data.apiKeys.totalCount).toBe(activeIds.length);

    const withRevoked = await gql<TKeyPage>(t.app, LIST, { rev: true }, ADMIN);
    const revokedNode = withRevoked.data.apiKeys.edges.find((e) => e.node.id === gone.apiKey.id)?.node;
    expect(revokedNode?.revokedAt).toEqual(expect.any(String));
    expect(withRevoked.data.apiKeys.totalCount).toBe(activeIds.length + (await t.db.prisma.apiKey.count({ where: { revokedAt: { not: null } } })));

    const text = JSON.stringify([active, withRevoked]);
    for (const secret of [kept.secret!, gone.secret!]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(hashApiKey(secret));
    }
    const fields = await gql<{ __type: { fields: { name: string }[] } }>(t.app, `{ __type(name: "ApiKey") { fields { name } } }`, undefined, ADMIN);
    expect(fields.data.__type.fields.map((f) => f.name).sort()).toEqual(
      ['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'name', 'revokedAt', 'role', 'tenant'].sort(),
    );

    const page = await gql<TKeyPage>(
      t.app,
      `{ apiKeys(first: 1, includeRevoked: true) { pageInfo { hasNextPage endCursor } edges { node { id } } } }`,
      undefined,
      ADMIN,
    );
    const next = await gql<TKeyPage>(t.app, LIST, { after: page.data.apiKeys.pageInfo.endCursor, rev: true }, ADMIN);
    expect(page.data.apiKeys.pageInfo.hasNextPage).toBe(true);
    expect(next.data.apiKeys.edges.map((e) => e.node.id)).not.toContain(page.data.apiKeys.edges[0]!.node.id);
    expect(next.data.apiKeys.edges).toHaveLength(withRevoked.data.apiKeys.totalCount - 1);
  });

  it('revokeApiKey makes the key fail at once and publishes apiKeyRevoked after the commit', async () => {
    const made = await create({ name: 'to revoke', role: 'VIEWER' });
    expect((await t.gql(`{ tenants(first: 1) { totalCount } }`, undefined, bearer(made.secret!))).errors).toBeUndefined();

    const abort = new AbortController();
    const received: Topics['apiKeyRevoked'][] = [];
    let committedWhenPublished: Date | null | undefined;
    const listening = (async () => {
      for await (const message of t.app.services().pubsub.subscribe('apiKeyRevoked', abort.signal)) {
        received.push(message);
        committedWhenPublished = (await t.db.prisma.apiKey.findUnique({ where: { id: message.keyId } }))?.revokedAt;
        return;
      }
    })();
    try {
      const r = await gql<TRevoked>(t.app, REVOKE, { id: made.apiKey.id }, ADMIN);
      expect(r.errors).toBeUndefined();
      expect(r.data.revokeApiKey.userErrors).toEqual([]);
      expect(r.data.revokeApiKey.apiKey).toMatchObject({ id: made.apiKey.id, revokedAt: expect.any(String) });
      await listening;
      expect(received).toEqual([{ keyId: rawId(made.apiKey.id) }]);
      expect(committedWhenPublished).toBeInstanceOf(Date);
    } finally {
      abort.abort();
    }

    const refused = await t.app.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(made.secret!) },
      body: JSON.stringify({ query: '{ tenants(first: 1) { totalCount } }' }),
    });
    expect(refused.status).toBe(401);
    const body = (await refused.json()) as { errors: GqlError[] };
    expect(body.errors[0]!.extensions!.code).toBe('UNAUTHENTICATED');

    const again = await gql<TRevoked>(t.app, REVOKE, { id: made.apiKey.id }, ADMIN);
    expect(again.data.revokeApiKey.userErrors.map((e) => e.code)).toEqual(['NO_CHANGE']);
    const stored = await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: rawId(made.apiKey.id) } });
    expect(again.data.revokeApiKey.apiKey.revokedAt).toBe(stored.revokedAt!.toISOString());
  });

  it('answers userErrors with stable codes for expected problems', async () => {
    const past = await create({ name: 'late', role: 'VIEWER', expiresAt: new Date(Date.now() - 1000).toISOString() });
    expect(past).toMatchObject({ apiKey: null, secret: null });
    expect(past.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', path: ['input', 'expiresAt'] })]);

    const missingTenant = await create({ name: 'x', role: 'VIEWER', tenantId: gid('Tenant', '00000000-0000-4000-8000-000000000000') });
    expect(missingTenant.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', path: ['input', 'tenantId'] })]);
    const badTenant = await create({ name: 'x', role: 'VIEWER', tenantId: 'not-an-id' });
    expect(badTenant.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', path: ['input', 'tenantId'] })]);
    const blank = await create({ name: '  ', role: 'VIEWER' });
    expect(blank.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', path: ['input', 'name'] })]);
    // NUL bytes are refused for every argument before any resolver runs (BAD_USER_INPUT).
    const keysBefore = await t.db.prisma.apiKey.count();
    const nul = await t.gql(CREATE, { input: { name: 'a\u0000b', role: 'VIEWER' } }, admin);
    expect(nul.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await t.db.prisma.apiKey.count()).toBe(keysBefore);
    const long = await create({ name: 'n'.repeat(201), role: 'VIEWER' });
    expect(long.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', path: ['input', 'name'] })]);

    const unknown = await t.gql(REVOKE, { id: gid('ApiKey', '00000000-0000-4000-8000-000000000000') }, admin);
    expect(unknown.data.revokeApiKey).toEqual({ apiKey: null, userErrors: [expect.objectContaining({ code: 'NOT_FOUND', path: ['input', 'id'] })] });
    const wrongType = await t.gql(REVOKE, { id: gid('Tenant', acme.id) }, admin);
    expect(wrongType.data.revokeApiKey.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', path: ['input', 'id'] })]);
  });

  it('refuses expired keys with an UNAUTHENTICATED error that says so', async () => {
    const made = await create({ name: 'short-lived', role: 'VIEWER', expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(made.userErrors).toEqual([]);
    expect(new Date(made.apiKey.expiresAt!).getTime()).toBeGreaterThan(Date.now());
    expect((await t.gql(`{ tenants(first: 1) { totalCount } }`, undefined, bearer(made.secret!))).errors).toBeUndefined();

    await t.db.prisma.apiKey.update({ where: { id: rawId(made.apiKey.id) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const refused = await t.gql(`{ tenants(first: 1) { totalCount } }`, undefined, bearer(made.secret!));
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(refused.errors?.[0]?.message).toMatch(/expired/);
  });

  it('viewer keys and tenant-scoped keys cannot manage keys (FORBIDDEN), nor see them through node()', async () => {
    const viewer = await create({ name: 'viewer', role: 'VIEWER' });
    const scopedOperator = await create({ name: 'acme ops', role: 'OPERATOR', tenantId: gid('Tenant', acme.id) });
    const victim = await create({ name: 'victim', role: 'VIEWER' });
    for (const secret of [viewer.secret!, scopedOperator.secret!]) {
      const made = await t.gql(CREATE, { input: { name: 'escalate', role: 'OPERATOR' } }, bearer(secret));
      expect(made.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const revoked = await t.gql(REVOKE, { id: victim.apiKey.id }, bearer(secret));
      expect(revoked.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const listed = await t.gql(LIST, {}, bearer(secret));
      expect(listed.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const node = await t.gql(`query($id: ID!) { node(id: $id) { id ... on ApiKey { name } } }`, { id: victim.apiKey.id }, bearer(secret));
      expect(node.data?.node ?? null).toBeNull();
    }
    expect(await t.db.prisma.apiKey.count({ where: { name: 'escalate' } })).toBe(0);
    expect((await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: rawId(victim.apiKey.id) } })).revokedAt).toBeNull();
    const asAdmin = await t.gql(`query($id: ID!) { node(id: $id) { id ... on ApiKey { name } } }`, { id: victim.apiKey.id }, admin);
    expect(asAdmin.data.node).toEqual({ id: victim.apiKey.id, name: 'victim' });
  });

  it('records lastUsedAt when a key is used', async () => {
    const made = await create({ name: 'used', role: 'VIEWER' });
    expect(made.apiKey.lastUsedAt).toBeNull();
    const before = Date.now();
    expect((await t.gql(`{ tenants(first: 1) { totalCount } }`, undefined, bearer(made.secret!))).errors).toBeUndefined();
    const lastUsed = await vi.waitFor(
      async () => {
        const r = await t.gql(`query($id: ID!) { node(id: $id) { ... on ApiKey { lastUsedAt } } }`, { id: made.apiKey.id }, admin);
        expect(r.data.node.lastUsedAt).not.toBeNull();
        return new Date(r.data.node.lastUsedAt).getTime();
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(lastUsed).toBeGreaterThanOrEqual(before - 1000);
  });

  it('writes lastUsedAt at most once a minute per key, without blocking authentication', async () => {
    const made = await create({ name: 'busy', role: 'VIEWER' });
    const id = rawId(made.apiKey.id);
    let now = Date.now();
    const auth = createAuthenticator(t.db, ADMIN, { now: () => now });
    const viewer = await auth.authenticate(`Bearer ${made.secret}`);
    expect(viewer).toMatchObject({ role: 'VIEWER', tenantId: null, keyId: id });
    await auth.idle();
    const first = (await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt;
    expect(first?.getTime()).toBe(now);

    now += 30_000;
    for (let i = 0; i < 5; i++) await auth.authenticate(`Bearer ${made.secret}`);
    await auth.idle();
    expect((await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt?.getTime()).toBe(first!.getTime());

    now += 31_000;
    await auth.authenticate(`Bearer ${made.secret}`);
    await auth.idle();
    expect((await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt?.getTime()).toBe(now);
  });

  it('lets a database failure propagate as a non-GraphQL error, and keeps ADMIN_API_KEY working', async () => {
    const auth = createAuthenticator(t.db, ADMIN);
    expect(await auth.authenticate(`Bearer ${ADMIN}`)).toMatchObject({ role: 'OPERATOR', tenantId: null, actor: 'admin', keyId: null });
    await expect(auth.authenticate('Bearer nonsense-key')).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    const broken = createAuthenticator({ ...t.db, prisma: { apiKey: { findUnique: () => Promise.reject(new Error('connection refused')) } } } as never, ADMIN);
    const error = await broken.authenticate('Bearer some-key').catch((e: unknown) => e);
    expect((error as Error).message).toBe('connection refused');
    expect((error as { extensions?: unknown }).extensions).toBeUndefined();
  });
});

/** A TCP relay to Redis that the test can cut, as an outage of the Redis server would. */
async function redisRelay(url: string) {
  const target = new URL(url);
  const open = new Set<Socket>();
  let server: Server | undefined;
  const listen = (port = 0) =>
    new Promise<number>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 6379), target.hostname);
        open.add(client).add(upstream);
        for (const s of [client, upstream]) s.on('error', () => {}).on('close', () => open.delete(s));
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => resolve((server!.address() as { port: number }).port));
    });
  const port = await listen();
  return {
    url: `redis://127.0.0.1:${port}`,
    async cut() {
      const closed = new Promise<void>((r) => server!.close(() => r()));
      for (const s of open) s.destroy();
      await closed;
    },
    restore: () => listen(port),
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((r) => (server?.listening ? server.close(() => r()) : r()));
    },
  };
}

const redisUrl = process.env.TEST_REDIS_URL;
const [postgres] = testDatabaseTargets().filter((d) => d.name === 'postgres');

describe.runIf(redisUrl && postgres)('API key revocation between replicas (PostgreSQL, Redis)', () => {
  it('a revocation on one replica reaches the other; a Redis outage does not make revokeApiKey fail', async () => {
    const db = await postgres!.open();
    const relay = await redisRelay(redisUrl!);
    const a = await startTestApp(db, { ADMIN_API_KEY: ADMIN, REDIS_URL: relay.url });
    const b = await startTestApp(db, { ADMIN_API_KEY: ADMIN, REDIS_URL: redisUrl! });
    const abort = new AbortController();
    try {
      const make = async (name: string) => {
        const r = await a.gql(CREATE, { input: { name, role: 'VIEWER' } }, admin);
        return r.data.createApiKey.apiKey.id as string;
      };
      const first = await make('replicated');
      const received = (async () => {
        for await (const m of b.app.services().pubsub.subscribe('apiKeyRevoked', abort.signal)) return m;
        return null;
      })();
      expect((await a.gql(REVOKE, { id: first }, admin)).data.revokeApiKey.userErrors).toEqual([]);
      expect(await received).toEqual({ keyId: rawId(first) });

      const second = await make('during outage');
      await relay.cut();
      const r = await a.gql(REVOKE, { id: second }, admin);
      expect(r.errors).toBeUndefined();
      expect(r.data.revokeApiKey).toMatchObject({ apiKey: { id: second, revokedAt: expect.any(String) }, userErrors: [] });
      expect((await db.prisma.apiKey.findUniqueOrThrow({ where: { id: rawId(second) } })).revokedAt).toBeInstanceOf(Date);
      await relay.restore();
    } finally {
      abort.abort();
      await a.stop();
      await b.stop();
      await relay.close();
      await db.close();
    }
  });
});
