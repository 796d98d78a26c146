import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth.js';
import type { Database } from '../../src/db/index.js';
import { cutOffDatabase, openEmbeddedTestDatabase, openPostgresTestDatabase } from '../helpers/db.js';
import { fragmentBomb } from '../helpers/hostile.js';
import { operationSpy, rawSocket, startTestServer, type RawSocket, type TestServer } from '../helpers/server.js';

const ADMIN = 'admin-key-for-ws-security-tests';
const WAIT = `subscription { syncRunUpdated { id status } }`;

/** A socket that sent connection_init with this key and got connection_ack. */
async function authenticated(server: TestServer, key: string, headers: Record<string, string> = {}): Promise<RawSocket> {
  const s = rawSocket(server.wsUrl, headers);
  await s.opened;
  s.send({ type: 'connection_init', payload: { authorization: `Bearer ${key}` } });
  await s.next('connection_ack');
  return s;
}

async function createKey(db: Database, key: string, data: { expiresAt?: Date } = {}) {
  return db.prisma.apiKey.create({ data: { name: `ws ${key.slice(0, 8)}`, keyHash: hashApiKey(key), role: 'VIEWER', ...data } });
}

describe('WebSocket: authentication before anything is parsed, and limits', () => {
  let db: Database;
  let server: TestServer;
  const sockets: RawSocket[] = [];
  const spy = operationSpy();
  const open = async (key: string, headers?: Record<string, string>) => {
    const s = await authenticated(server, key, headers);
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    db = await openEmbeddedTestDatabase();
    server = await startTestServer(
      db,
      {
        ADMIN_API_KEY: ADMIN,
        WS_MAX_PAYLOAD_BYTES: '4096',
        WS_CONNECTION_INIT_TIMEOUT_MS: '300',
        WS_MAX_SUBSCRIPTIONS_PER_SOCKET: '2',
        WS_MAX_SOCKETS_PER_KEY: '2',
        CORS_ORIGINS: 'https://app.example',
      },
      { plugins: [spy.plugin] },
    );
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.ws.terminate();
  });
  afterAll(async () => {
    await server?.stop();
    await db?.close();
  });

  it('closes a socket without a valid key (4403) or that subscribes before connection_init (4401), parsing nothing it sent', async () => {
    const before = { ...spy.counts };
    for (const payload of [{}, { authorization: 'Bearer wrong-key-0123456789' }]) {
      const s = rawSocket(server.wsUrl);
      await s.opened;
      s.send({ type: 'connection_init', payload });
      // Sent at once, before any answer: it must not be parsed while the key is being checked.
      s.send({ id: '1', type: 'subscribe', payload: { query: fragmentBomb(16) } });
      // 4403 once the key is refused, or 4401 if the subscribe is read first: either way, not parsed.
      expect([4401, 4403]).toContain((await s.closed).code);
    }
    const early = rawSocket(server.wsUrl);
    await early.opened;
    early.send({ id: '1', type: 'subscribe', payload: { query: fragmentBomb(16) } });
    expect((await early.closed).code).toBe(4401);
    expect(spy.counts).toEqual(before);
  });

  it('closes a socket whose message is larger than WS_MAX_PAYLOAD_BYTES (1009) before reading it', async () => {
    const s = rawSocket(server.wsUrl);
    await s.opened;
    s.send({ type: 'connection_init', payload: { authorization: `Bearer ${ADMIN}`, padding: 'x'.repeat(8192) } });
    const { code } = await s.closed;
    expect(code).toBe(1009);
    expect(s.messages).toEqual([]);
  });

  it('closes a socket that does not send connection_init within WS_CONNECTION_INIT_TIMEOUT_MS (4408)', async () => {
    const s = rawSocket(server.wsUrl);
    await s.opened;
    const started = performance.now();
    const { code } = await s.closed;
    expect(code).toBe(4408);
    // 300 ms configured; graphql-ws's own default is 3 s, ours 10 s.
    expect(performance.now() - started).toBeLessThan(2500);
  });

  it('refuses a subscription beyond WS_MAX_SUBSCRIPTIONS_PER_SOCKET with a GraphQL error, and accepts one again once a slot is free', async () => {
    const s = await open(ADMIN);
    for (const id of ['a', 'b', 'c']) s.send({ id, type: 'subscribe', payload: { query: WAIT } });
    const refused = await s.next('error');
    expect(refused.id).toBe('c');
    expect(refused.payload[0].extensions.code).toBe('TOO_MANY_SUBSCRIPTIONS');
    expect(refused.payload[0].message).toMatch(/at most 2 subscriptions/);
    expect(refused.payload[0].extensions.http).toBeUndefined();
    s.send({ id: 'a', type: 'complete' });
    s.send({ id: 'd', type: 'subscribe', payload: { query: `subscription { resourceEvents(filter: { afterSequence: 0 }) { sequence } }` } });
    s.send({ id: 'e', type: 'subscribe', payload: { query: WAIT } });
    const second = await new Promise<any>((resolve) => {
      const check = () => {
        const m = s.messages.find((m) => m.type === 'error' && m.id === 'e');
        if (m) resolve(m);
        else setTimeout(check, 20);
      };
      check();
    });
    expect(second.payload[0].extensions.code).toBe('TOO_MANY_SUBSCRIPTIONS');
    expect(s.messages.find((m) => m.id === 'd' && m.type === 'error')).toBeUndefined();
    expect(s.ws.readyState).toBe(s.ws.OPEN);
  });

  it('closes a socket beyond WS_MAX_SOCKETS_PER_KEY with 4429 and a reason, and accepts one again once a socket closed', async () => {
    const first = await open(ADMIN);
    await open(ADMIN);
    const third = rawSocket(server.wsUrl);
    sockets.push(third);
    await third.opened;
    third.send({ type: 'connection_init', payload: { authorization: `Bearer ${ADMIN}` } });
    const closed = await third.closed;
    expect(closed.code).toBe(4429);
    expect(closed.reason).toMatch(/at most 2 open WebSocket connections per key/);
    // Another key has its own allowance.
    const other = 'viewer-key-own-allowance-0123456789';
    await createKey(db, other);
    await open(other);
    first.ws.close();
    await first.closed;
    await open(ADMIN);
  });

  it('refuses an upgrade from a foreign Origin (403), and accepts its own origin, an allowed one, and clients that send none', async () => {
    const foreign = rawSocket(server.wsUrl, { origin: 'https://evil.example' });
    await expect(foreign.opened).rejects.toMatchObject({ status: 403 });
    const own = await open(ADMIN, { origin: server.url });
    const allowed = await open(ADMIN, { origin: 'https://app.example' });
    expect([own.ws.readyState, allowed.ws.readyState]).toEqual([1, 1]);
    own.ws.close();
    allowed.ws.close();
    await Promise.all([own.closed, allowed.closed]);
    const none = await open(ADMIN);
    expect(none.ws.readyState).toBe(1);
  });
});

describe('WebSocket: revoked and expired keys', () => {
  let db: Database;
  let server: TestServer;
  beforeAll(async () => {
    db = await openEmbeddedTestDatabase();
    server = await startTestServer(db, { ADMIN_API_KEY: ADMIN });
  });
  afterAll(async () => {
    await server?.stop();
    await db?.close();
  });

  it('closes every socket of a key with 4403 when apiKeyRevoked is published, and no other socket', async () => {
    const revoked = 'viewer-key-to-revoke-0123456789';
    const kept = 'viewer-key-to-keep-0123456789';
    const row = await createKey(db, revoked);
    await createKey(db, kept);
    const a = await authenticated(server, revoked);
    const b = await authenticated(server, revoked);
    const c = await authenticated(server, kept);
    a.send({ id: '1', type: 'subscribe', payload: { query: WAIT } });
    await server.app.services().pubsub.publish('apiKeyRevoked', { keyId: row.id });
    for (const s of [a, b]) {
      const closed = await s.closed;
      expect(closed.code).toBe(4403);
      expect(closed.reason).toMatch(/revoked/);
    }
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    c.ws.close();
    await c.closed;
  });

  it('closes a socket with 4403 when its key expires', async () => {
    const key = 'viewer-key-expiring-0123456789';
    await createKey(db, key, { expiresAt: new Date(Date.now() + 1500) });
    const s = await authenticated(server, key);
    const closed = await s.closed;
    expect(closed.code).toBe(4403);
    expect(closed.reason).toMatch(/expired/);
  });
});

describe.runIf(process.env.TEST_REDIS_URL)('WebSocket: revocation across replicas through Redis', () => {
  it('a revocation published on one replica closes the key’s socket on another', async () => {
    const db = await openEmbeddedTestDatabase();
    const env = { ADMIN_API_KEY: ADMIN, REDIS_URL: process.env.TEST_REDIS_URL! };
    const a = await startTestServer(db, env);
    const b = await startTestServer(db, env);
    try {
      const key = 'viewer-key-revoked-elsewhere-0123456789';
      const row = await createKey(db, key);
      const s = await authenticated(b, key);
      await a.app.services().pubsub.publish('apiKeyRevoked', { keyId: row.id });
      const closed = await s.closed;
      expect(closed.code).toBe(4403);
      expect(closed.reason).toMatch(/revoked/);
    } finally {
      await a.stop();
      await b.stop();
      await db.close();
    }
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('WebSocket: database unreachable while checking a key', () => {
  it('closes with 1013 (try again later), not 4403', async () => {
    const db = await openPostgresTestDatabase();
    const server = await startTestServer(db, { ADMIN_API_KEY: ADMIN });
    const restore = await cutOffDatabase(db.url);
    try {
      const s = rawSocket(server.wsUrl);
      await s.opened;
      s.send({ type: 'connection_init', payload: { authorization: 'Bearer a-database-key-0123456789' } });
      const closed = await s.closed;
      expect(closed.code).toBe(1013);
      expect(closed.reason).toMatch(/try again/i);
    } finally {
      await restore();
      await server.stop();
      await db.close();
    }
  });
});
