import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth.js';
import { openEmbeddedTestDatabase } from '../helpers/db.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { soleAccount } from '../helpers/sole-account.js';

const MUTATION = 'mutation { createTenant(input: { slug: "csrf", name: "CSRF" }) { tenant { id } } }';

describe('browser safety on the default keyless start', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(await openEmbeddedTestDatabase());
  });
  afterAll(async () => {
    await t.stop();
    await t.db.close();
  });

  const tenants = async () => t.db.prisma.tenant.count({ where: { slug: 'csrf' } });

  it('refuses form-encoded, multipart and text/plain POSTs (no preflight) with 403, running nothing', async () => {
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: MUTATION }));
    form.set('map', '{}');
    const attempts = [
      t.app.fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `query=${encodeURIComponent(MUTATION)}`,
      }),
      t.app.fetch('/graphql', { method: 'POST', body: form }),
      t.app.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: MUTATION }) }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      const body = (await res.json()) as { errors: { message: string }[] };
      expect(body.errors[0]!.message).toMatch(/CSRF/);
    }
    expect(await tenants()).toBe(0);
  });

  it('refuses a simple GET without a preflight-forcing header, and answers one that has it', async () => {
    const url = `/graphql?query=${encodeURIComponent('{ __typename }')}`;
    expect((await t.app.fetch(url)).status).toBe(403);
    const ok = await t.app.fetch(url, { headers: { 'x-graphql-yoga-csrf': '1' } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('still answers JSON POSTs, and still serves GraphiQL, configured to subscribe over server-sent events', async () => {
    expect(await t.gql('{ __typename }')).toEqual({ data: { __typename: 'Query' } });
    const page = await t.app.fetch('/graphql', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/<title>DigitalOcean inventory graph<\/title>/);
    expect(html).toMatch(/"subscriptionsProtocol":"SSE"/);
    // GraphiQL sends subscriptions over SSE as GETs: the CSRF header must come with them.
    expect(html).toMatch(/"additionalHeaders":\{"x-graphql-yoga-csrf":"graphiql"\}/);
  });

  it('sends no CORS headers by default: a foreign page can neither preflight nor read answers', async () => {
    const preflight = await t.app.fetch('/graphql', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
    const res = await t.app.fetch('/graphql', {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      body: '{"query":"{ __typename }"}',
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS_ORIGINS', () => {
  it('allows exactly the listed origins, without credentials', async () => {
    const t = await startTestApp(await openEmbeddedTestDatabase(), { CORS_ORIGINS: 'https://app.example,https://admin.example' });
    try {
      const ask = (origin: string) =>
        t.app.fetch('/graphql', {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
        });
      const allowed = await ask('https://admin.example');
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://admin.example');
      expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
      expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
      const foreign = await ask('https://evil.example');
      expect(foreign.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
    } finally {
      await t.stop();
      await t.db.close();
    }
  });
});

describe('GraphiQL with a key: subscriptions over server-sent events', () => {
  const KEY = 'admin-key-for-sse-tests-0123';
  let server: TestServer;
  let db: Awaited<ReturnType<typeof openEmbeddedTestDatabase>>;
  beforeAll(async () => {
    db = await openEmbeddedTestDatabase();
    server = await startTestServer(db, { ADMIN_API_KEY: KEY });
  });
  afterAll(async () => {
    await server?.stop();
    await db?.close();
  });

  it('streams an event to a subscription sent with the Authorization header, as GraphiQL sends it', async () => {
    const abort = new AbortController();
    // GraphiQL's request: a GET with accept: text/event-stream, its Headers tab and its additional CSRF header.
    const query = encodeURIComponent('subscription { syncRunUpdated { id worker status } }');
    const res = await fetch(`${server.url}/graphql?query=${query}`, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${KEY}`, 'x-graphql-yoga-csrf': 'graphiql' },
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const accountId = soleAccount(server.app).id;
    const run = await db.prisma.syncRun.create({ data: { accountId, worker: 'VOLUMES', trigger: 'MANUAL' } });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    // The stream is attached once yoga answered the headers; publish until the event arrives.
    const publisher = setInterval(
      () => void server.app.services().pubsub.publish('syncRun', { id: run.id, accountId, worker: 'VOLUMES', status: 'RUNNING' }),
      100,
    );
    try {
      while (!/event: next/.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
    } finally {
      clearInterval(publisher);
      abort.abort();
    }
    const data = JSON.parse(/event: next\ndata: (.*)\n/.exec(text)![1]!);
    expect(data).toEqual({ data: { syncRunUpdated: { id: Buffer.from(`SyncRun:${run.id}`).toString('base64'), worker: 'VOLUMES', status: 'RUNNING' } } });
  });

  it("ends the stream when its key is revoked, as it closes that key's WebSockets", async () => {
    const key = 'viewer-key-sse-revoked-0123456789';
    const row = await db.prisma.apiKey.create({ data: { name: 'sse', keyHash: hashApiKey(key), role: 'VIEWER' } });
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: 'subscription { syncRunUpdated { id } }' }),
    });
    expect(res.status).toBe(200);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const revoker = setInterval(() => void server.app.services().pubsub.publish('apiKeyRevoked', { keyId: row.id }), 100);
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
    } finally {
      clearInterval(revoker);
    }
    expect(text).toMatch(/event: complete/);
  });

  it('refuses the same subscription without the header (401)', async () => {
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { syncRunUpdated { id } }' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });
});
