import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { openEmbeddedTestDatabase } from '../helpers/db.js';
import { rawSocket, startTestServer, type TestServer } from '../helpers/server.js';

/** Malformed documents the GraphQL-over-HTTP audits send (a parse failure and a validation failure), and a few more. */
const MALFORMED = ['{', '{ 8f31403dfe404bccbb0e835f2629c6a7 }', '{ __typename', 'query { nope { x } }', '{ __type(name: 1) { name } }'];

/**
 * Every audit, with the CSRF-prevention header a non-browser client sends on GET requests
 * (a GET without it is refused 403 on purpose: see README, Security).
 */
async function audit(url: string): Promise<string[]> {
  const fetchFn = (input: string, init: RequestInit = {}) =>
    fetch(input, { ...init, headers: { ...(init.headers as Record<string, string>), 'x-graphql-yoga-csrf': '1' } });
  const problems: string[] = [];
  for (const a of serverAudits({ url, fetchFn })) {
    const result = await a.fn();
    if (result.status !== 'ok') problems.push(`${result.status} ${a.id} ${a.name}: ${result.reason}`);
  }
  return problems;
}

/** Sends each text as an operation over graphql-ws and returns the error payloads. */
async function overWebSocket(server: TestServer, texts: string[]): Promise<any[]> {
  const s = rawSocket(server.wsUrl);
  await s.opened;
  s.send({ type: 'connection_init' });
  await s.next('connection_ack');
  const errors: any[] = [];
  for (const [i, query] of texts.entries()) {
    s.send({ id: String(i), type: 'subscribe', payload: { query } });
    await new Promise<void>((resolve) => {
      const check = () => {
        const m = s.messages.find((m) => m.id === String(i) && (m.type === 'error' || m.type === 'next'));
        if (m) {
          errors.push(m.type === 'error' ? m.payload : m.payload.errors);
          resolve();
        } else setTimeout(check, 10);
      };
      check();
    });
  }
  s.ws.close();
  await s.closed;
  return errors;
}

describe('GraphQL over HTTP conformance, before and after WebSocket traffic', () => {
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

  it('a malformed document sent first over WebSocket does not change the HTTP answer for the same text', async () => {
    const text = '{ firstOverWebSocket';
    const [wsErrors] = await overWebSocket(server, [text]);
    expect(wsErrors[0].message).toMatch(/Syntax Error/);
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: text }),
    });
    expect(res.status).toBe(400);
  });

  it('passes every audit with no warning, and still does after WebSocket traffic with the same malformed texts', async () => {
    // First over WebSocket (nothing cached yet), then the audits, then WebSocket again, then the audits again.
    const first = await overWebSocket(server, MALFORMED);
    expect(await audit(`${server.url}/graphql`)).toEqual([]);
    const second = await overWebSocket(server, MALFORMED);
    expect(await audit(`${server.url}/graphql`)).toEqual([]);
    // WebSocket errors never carry HTTP-only extensions.
    for (const errors of [...first, ...second]) {
      expect(errors.length).toBeGreaterThan(0);
      for (const error of errors) expect(error.extensions?.http).toBeUndefined();
    }
  });
});
