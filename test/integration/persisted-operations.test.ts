import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/index.js';
import { openEmbeddedTestDatabase } from '../helpers/db.js';
import { rawSocket, startTestServer, type TestServer } from '../helpers/server.js';

const LISTED = 'query Tenants { tenants { totalCount } }';
const UNLISTED = 'query Other { inventorySummary { total } }';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const persisted = (document: string) => ({ persistedQuery: { version: 1, sha256Hash: sha256(document) } });

async function post(server: TestServer, body: unknown) {
  const res = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
}

/** One operation over graphql-ws: its first `next` or `error` message. */
async function overSocket(server: TestServer, payload: Record<string, unknown>) {
  const socket = rawSocket(server.wsUrl);
  await socket.opened;
  socket.send({ type: 'connection_init', payload: {} });
  await socket.next('connection_ack');
  socket.send({ id: '1', type: 'subscribe', payload });
  const answer = await Promise.race([socket.next('next'), socket.next('error')]);
  socket.ws.close();
  await socket.closed;
  return answer;
}

describe('trusted documents (PERSISTED_OPERATIONS_FILE)', () => {
  let dir: string;
  let db: Database;
  let server: TestServer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'persisted-'));
    // The manifest as GraphQL Code Generator's client preset writes it: { "<sha256>": "<document>" }.
    await writeFile(join(dir, 'persisted-documents.json'), JSON.stringify({ [sha256(LISTED)]: LISTED }));
    db = await openEmbeddedTestDatabase();
    server = await startTestServer(db, { PERSISTED_OPERATIONS_FILE: join(dir, 'persisted-documents.json') });
  });
  afterAll(async () => {
    await server?.stop();
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a listed operation by its hash over HTTP', async () => {
    const r = await post(server, { extensions: persisted(LISTED) });
    expect(r.errors).toBeUndefined();
    expect(r.data.tenants.totalCount).toBeGreaterThanOrEqual(1);
  });

  it('refuses a document sent as text over HTTP, listed or not', async () => {
    for (const query of [UNLISTED, LISTED]) {
      const r = await post(server, { query });
      expect(r.data).toBeUndefined();
      expect(r.errors?.[0]?.extensions?.code).toBe('ONLY_PERSISTED_OPERATIONS');
    }
  });

  it('refuses a hash that is not in the manifest over HTTP', async () => {
    const r = await post(server, { extensions: persisted(UNLISTED) });
    expect(r.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('runs a listed operation by its hash over WebSocket', async () => {
    const answer = await overSocket(server, { query: '', extensions: persisted(LISTED) });
    expect(answer.type).toBe('next');
    expect(answer.payload.data.tenants.totalCount).toBeGreaterThanOrEqual(1);
  });

  it('refuses an unlisted document and an unknown hash over WebSocket', async () => {
    const text = await overSocket(server, { query: UNLISTED });
    expect(text.type).toBe('error');
    expect(text.payload[0].extensions.code).toBe('ONLY_PERSISTED_OPERATIONS');
    const unknown = await overSocket(server, { query: '', extensions: persisted(UNLISTED) });
    expect(unknown.payload[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const swapped = await overSocket(server, { query: UNLISTED, extensions: persisted(LISTED) });
    expect(swapped.payload[0].extensions.code).toBe('ONLY_PERSISTED_OPERATIONS');
  });

  it('reports an unreadable or malformed manifest at start, naming the setting', async () => {
    const missing = loadConfig({ PERSISTED_OPERATIONS_FILE: join(dir, 'nope.json') });
    expect(missing.ok ? [] : missing.problems).toEqual([`PERSISTED_OPERATIONS_FILE: cannot read ${join(dir, 'nope.json')} (no such file)`]);
    await writeFile(join(dir, 'list.json'), '["query { a }"]');
    const list = loadConfig({ PERSISTED_OPERATIONS_FILE: join(dir, 'list.json') });
    expect(list.ok ? [] : list.problems).toEqual([`PERSISTED_OPERATIONS_FILE: ${join(dir, 'list.json')} must be a JSON object { "<hash>": "<document>" }`]);
  });
});

describe('without PERSISTED_OPERATIONS_FILE', () => {
  let db: Database;
  let server: TestServer;
  beforeAll(async () => {
    db = await openEmbeddedTestDatabase();
    server = await startTestServer(db);
  });
  afterAll(async () => {
    await server?.stop();
    await db?.close();
  });

  it('runs any valid document over HTTP and WebSocket, as before', async () => {
    const r = await post(server, { query: UNLISTED });
    expect(r.errors).toBeUndefined();
    expect(typeof r.data.inventorySummary.total).toBe('number');
    const answer = await overSocket(server, { query: UNLISTED });
    expect(answer.type).toBe('next');
    expect(typeof answer.payload.data.inventorySummary.total).toBe('number');
  });
});
