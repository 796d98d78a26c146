import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createLogger } from '../../src/log.js';
import { openEmbeddedTestDatabase } from '../helpers/db.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ADMIN = 'admin-key-for-operation-log-0001';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('one log line per GraphQL operation', () => {
  let server: TestServer;
  const lines: Record<string, any>[] = [];
  const waiters: { match(l: Record<string, any>): boolean; resolve(l: Record<string, any>): void }[] = [];
  let viewer: { secret: string; id: string };

  /** The operation line that matches, once written. */
  const operationLine = (match: (l: Record<string, any>) => boolean) => {
    const found = lines.find((l) => l.msg === 'graphql operation' && match(l));
    if (found) return Promise.resolve(found);
    return new Promise<Record<string, any>>((resolve) => waiters.push({ match: (l) => l.msg === 'graphql operation' && match(l), resolve }));
  };

  const post = (query: string, headers: Record<string, string> = {}, variables?: Record<string, unknown>) =>
    fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}`, ...headers },
      body: JSON.stringify({ query, variables }),
    });

  beforeAll(async () => {
    const db = await openEmbeddedTestDatabase();
    const logger = createLogger('info', {}, (line) => {
      const parsed = JSON.parse(line) as Record<string, any>;
      lines.push(parsed);
      for (const w of waiters.filter((w) => w.match(parsed))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(parsed);
      }
    });
    server = await startTestServer(db, { ADMIN_API_KEY: ADMIN, QUERY_MAX_COST: '50' }, { logger });
    const made = (await (await post(`mutation MakeKey { createApiKey(input: { name: "dash", role: VIEWER }) { secret apiKey { id } } }`)).json()) as any;
    const row = await db.prisma.apiKey.findFirstOrThrow({ where: { name: 'dash' } });
    viewer = { secret: made.data.createApiKey.secret, id: row.id };
  });
  afterAll(async () => {
    const db = server.app.services().db;
    await server.stop();
    await db.close();
  });

  it('over HTTP: name, type, duration, result and the key id, under the request id the client sent (answered back)', async () => {
    const res = await post(`query Tenants { tenants(first: 5) { edges { node { slug } } } }`, {
      authorization: `Bearer ${viewer.secret}`,
      'x-request-id': 'trace-7f3a:01',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('trace-7f3a:01');
    const line = await operationLine((l) => l.requestId === 'trace-7f3a:01');
    expect(line).toMatchObject({ level: 'info', transport: 'http', operation: 'Tenants', type: 'query', result: 'ok', keyId: viewer.id });
    expect(line.durationMs).toEqual(expect.any(Number));
    expect(line).not.toHaveProperty('errors');
    expect(await operationLine((l) => l.operation === 'MakeKey')).toMatchObject({ type: 'mutation', result: 'ok', keyId: 'admin' });
  });

  it('makes a request id when none or a strange one comes, and answers it', async () => {
    const variants: Record<string, string>[] = [{}, { 'x-request-id': 'x'.repeat(200) }, { 'x-request-id': 'has spaces "and quotes"' }];
    for (const headers of variants) {
      const res = await post(`query Plain { tenants(first: 1) { totalCount } }`, headers);
      const id = res.headers.get('x-request-id')!;
      expect(id).toMatch(UUID);
      expect(await operationLine((l) => l.requestId === id)).toMatchObject({ operation: 'Plain', result: 'ok' });
    }
  });

  it('gives the error codes the client got: refused key role, invalid query, too costly a query (refused before it runs)', async () => {
    const cases = [
      { query: `mutation Nope { createTenant(input: { slug: "nope", name: "Nope" }) { tenant { slug } } }`, auth: viewer.secret, type: 'mutation' },
      { query: `query Bad { nothingHere }`, auth: ADMIN, type: 'query' },
      { query: `query Costly { tenants(first: 100) { edges { node { slug projects(first: 100) { totalCount } } } } }`, auth: ADMIN, type: 'query' },
    ];
    for (const c of cases) {
      const res = await post(c.query, { authorization: `Bearer ${c.auth}` });
      const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
      const codes = [...new Set(body.errors.map((e) => e.extensions.code))];
      expect(codes.length).toBeGreaterThan(0);
      const id = res.headers.get('x-request-id')!;
      expect(await operationLine((l) => l.requestId === id)).toMatchObject({ type: c.type, result: 'error', errors: codes });
    }
  });

  it('over WebSocket: queries and refused subscriptions, with the key id and a request id of their own', async () => {
    const client = createClient({
      url: server.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${viewer.secret}` },
      retryAttempts: 0,
    });
    try {
      const query = client.iterate({ query: `query OverSocket { tenants(first: 1) { totalCount } }` });
      for await (const result of query) expect(result.errors).toBeUndefined();
      const line = await operationLine((l) => l.operation === 'OverSocket');
      expect(line).toMatchObject({ transport: 'websocket', type: 'query', result: 'ok', keyId: viewer.id });
      expect(line.requestId).toMatch(UUID);
      const refused = client.iterate({ query: `subscription Wrong { noSuchEvents { id } }` });
      await expect(refused.next()).rejects.toBeDefined();
      expect(await operationLine((l) => l.operation === 'Wrong')).toMatchObject({
        transport: 'websocket',
        type: 'subscription',
        result: 'error',
        errors: ['GRAPHQL_VALIDATION_FAILED'],
        keyId: viewer.id,
      });
    } finally {
      await client.dispose();
    }
    expect(JSON.stringify(lines)).not.toContain(viewer.secret);
    expect(JSON.stringify(lines)).not.toContain(ADMIN);
  });
});
