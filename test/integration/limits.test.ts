import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUERY_LIMITS } from '../../src/schema/limits.js';
import { openEmbeddedTestDatabase } from '../helpers/db.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

describe('hostile queries', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(await openEmbeddedTestDatabase());
  });
  afterAll(async () => {
    await t.stop();
    await t.db.close();
  });

  it('refuses a query nested deeper than the limit, before running it', async () => {
    let inner = 'slug';
    for (let i = 0; i < 4; i++) inner = `projects(first: 1) { edges { node { tenant { ${inner} } } } }`;
    const counter = t.db.countQueries();
    const r = await t.gql(`{ tenants(first: 1) { edges { node { ${inner} } } } }`);
    counter.stop();
    expect(r.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(r.errors?.[0]?.message).toMatch(/depth limit of 12 exceeded, found 20/);
    expect(counter.count).toBe(0);
  });

  it('lets the standard introspection query through, as GraphiQL and code generators send it', async () => {
    const r = await t.gql(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, inputValueDeprecation: true }));
    expect(r.errors).toBeUndefined();
    expect(r.data.__schema.queryType.name).toBe('Query');
  });

  it('refuses too many aliases', async () => {
    const aliases = Array.from({ length: QUERY_LIMITS.maxAliases + 1 }, (_, i) => `a${i}: inventorySummary { total }`).join(' ');
    const r = await t.gql(`{ ${aliases} }`);
    expect(r.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses a document with too many tokens', async () => {
    const r = await t.gql(`{ __typename ${' __typename'.repeat(QUERY_LIMITS.maxTokens)} }`);
    expect(r.errors?.[0]?.message).toMatch(/Token limit of 4000 exceeded/);
    expect(r.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('answers a malformed body and a missing query with 4xx, not a 500', async () => {
    const bad = await t.app.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
    const empty = await t.app.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(empty.status).toBeLessThan(500);
    expect(((await empty.json()) as { errors: { message: string }[] }).errors[0]!.message).toMatch(/query/i);
  });
});
