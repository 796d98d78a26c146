import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth.js';
import { cutOffDatabase, openEmbeddedTestDatabase, openPostgresTestDatabase } from '../helpers/db.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { fragmentBomb } from '../helpers/hostile.js';
import { operationSpy } from '../helpers/server.js';

const ADMIN = 'admin-key-for-auth-tests';

const post = (t: TestApp, body: string, headers: Record<string, string> = {}) =>
  t.app.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('with ADMIN_API_KEY set, a request without a valid key is refused before its document is read', () => {
  let t: TestApp;
  const spy = operationSpy();
  beforeAll(async () => {
    t = await startTestApp(await openEmbeddedTestDatabase(), { ADMIN_API_KEY: ADMIN }, { plugins: [spy.plugin] });
    // Warm up (first request initialises the schema and plugins) with a valid key.
    expect((await post(t, '{"query":"{ __typename }"}', { authorization: `Bearer ${ADMIN}` })).status).toBe(200);
  });
  afterAll(async () => {
    await t.stop();
    await t.db.close();
  });

  it('answers 401 with WWW-Authenticate: Bearer and a GraphQL error, without parsing or validating', async () => {
    const before = { ...spy.counts };
    for (const authorization of [undefined, 'Bearer not-a-key', 'Basic abc']) {
      // A syntax error and an invalid field: if either were parsed or validated, the answer would say so.
      for (const query of ['{ tenants(first: ', '{ noSuchField }']) {
        const res = await post(t, JSON.stringify({ query }), authorization ? { authorization } : {});
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
        const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
        expect(body.errors).toHaveLength(1);
        expect(body.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
        expect(body.errors[0]!.message).not.toMatch(/Syntax Error|noSuchField|Did you mean/);
      }
    }
    expect(spy.counts).toEqual(before);
  });

  it('answers the fragment fan-out without a key with 401 in milliseconds, never parsing it', async () => {
    const before = { ...spy.counts };
    const query = fragmentBomb(16);
    const started = performance.now();
    const res = await post(t, JSON.stringify({ query }));
    const elapsed = performance.now() - started;
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    // Parsing and validating it took seconds; refusing it takes a few milliseconds (headroom for a loaded machine).
    expect(elapsed).toBeLessThan(500);
    expect(spy.counts).toEqual(before);
  });

  it('refuses a GET query and a body that is not JSON the same way', async () => {
    const before = { ...spy.counts };
    const get = await t.app.fetch(`/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'x-graphql-yoga-csrf': '1' } });
    expect(get.status).toBe(401);
    const garbage = await post(t, '{"query": ');
    expect(garbage.status).toBe(401);
    expect(spy.counts).toEqual(before);
  });

  it('looks a database key up once per request: the context reuses the viewer found before parsing', async () => {
    const tenant = await t.db.prisma.tenant.create({ data: { slug: 'auth-once', name: 'Auth once' } });
    const key = 'viewer-key-auth-once-0123456789';
    await t.db.prisma.apiKey.create({ data: { name: 'once', keyHash: hashApiKey(key), role: 'VIEWER', tenantId: tenant.id } });
    const counter = t.db.countQueries();
    const res = await post(t, JSON.stringify({ query: '{ __typename }' }), { authorization: `Bearer ${key}` });
    counter.stop();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
    // One key lookup (plus at most the last-used stamp); never a second lookup from the context.
    const lookups = counter.count;
    expect(lookups).toBeGreaterThanOrEqual(1);
    expect(lookups).toBeLessThanOrEqual(2);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('when the database cannot be reached to check a key', () => {
  it('answers 503 (try again later), not 401', async () => {
    const db = await openPostgresTestDatabase();
    const t = await startTestApp(db, { ADMIN_API_KEY: ADMIN });
    const restore = await cutOffDatabase(db.url);
    try {
      const res = await post(t, JSON.stringify({ query: '{ __typename }' }), { authorization: 'Bearer some-database-key-0123456789' });
      expect(res.status).toBe(503);
      const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors[0]!.extensions.code).toBe('SERVICE_UNAVAILABLE');
      // The operator key needs no database: it still works.
      expect((await post(t, JSON.stringify({ query: '{ __typename }' }), { authorization: `Bearer ${ADMIN}` })).status).toBe(200);
    } finally {
      await restore();
      await t.stop();
      await db.close();
    }
  });
});
