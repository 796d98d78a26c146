import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REQUEST_BODY_BYTES } from '../../src/request-body-limit.js';
import { openEmbeddedTestDatabase } from '../helpers/db.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ADMIN = 'admin-key-for-body-limit-tests';

type Answer = { status: number; body: any };

/** A POST to /graphql over a real socket: `write` sends the body (or part of it) and says whether to end it. */
function post(server: TestServer, headers: Record<string, string>, write: (req: ReturnType<typeof request>) => boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}/graphql`,
      { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}`, ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
        });
      },
    );
    // The server may answer, and close, before the body is sent.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    if (write(req)) req.end();
  });
}

const QUERY = JSON.stringify({ query: '{ __typename }' });

describe('the request body limit over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(await openEmbeddedTestDatabase(), { ADMIN_API_KEY: ADMIN });
  });
  afterAll(async () => {
    await server?.stop();
    await server?.app.services().db.close();
  });

  it('refuses a declared Content-Length beyond the limit with 413 before the body is sent', async () => {
    const r = await post(server, { 'content-length': String(MAX_REQUEST_BODY_BYTES + 1) }, (req) => {
      req.flushHeaders();
      return false;
    });
    expect(r.status).toBe(413);
    expect(r.body.errors[0]).toMatchObject({ message: 'Request body too large', extensions: { code: 'REQUEST_ENTITY_TOO_LARGE' } });
  });

  it('reads a chunked body (no Content-Length) and answers it', async () => {
    const r = await post(server, {}, (req) => {
      req.write(QUERY.slice(0, 10));
      req.write(QUERY.slice(10));
      return true;
    });
    expect(r).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
  });

  it('refuses a chunked body with 413 once it passes the limit', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    const r = await post(server, {}, (req) => {
      req.write('{"query": "{ __typename }", "padding": "');
      for (let i = 0; i * chunk.length <= MAX_REQUEST_BODY_BYTES; i++) req.write(chunk);
      req.write('"}');
      return true;
    });
    expect(r.status).toBe(413);
    expect(r.body.errors[0]).toMatchObject({ message: 'Request body too large', extensions: { code: 'REQUEST_ENTITY_TOO_LARGE' } });
  });
});
