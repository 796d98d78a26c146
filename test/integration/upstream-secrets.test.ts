import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import type { Database } from '../../src/db/index.js';
import { createLogger } from '../../src/log.js';
import { testConfig } from '../helpers/app.js';
import { testDatabaseTargets } from '../helpers/db.js';
import { soleAccount } from '../helpers/sole-account.js';

// Shaped like a request id, so only redaction (not the request-id format check) can keep it out.
const TOKEN = '5ec4e7a0-70ce-4c1e-9d6b-00000000f00d';
const ADMIN = 'admin-key-for-upstream-secret-tests';
const DB_PASSWORD = 'db-pass-word-4711';

/** A DigitalOcean stand-in that answers 403 and echoes every request header, and the bare token, in its error body. */
async function startEchoUpstream(): Promise<{ url: string; requests: () => number; stop(): Promise<void> }> {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    res.writeHead(403, { 'content-type': 'application/json', 'x-request-id': TOKEN });
    res.end(JSON.stringify({ id: 'forbidden', message: `you sent ${JSON.stringify(req.headers)}; token ${TOKEN} is not allowed`, request_id: TOKEN }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.each(testDatabaseTargets())('upstream error text on $name', (target) => {
  let db: Database;
  let app: App;
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  const lines: string[] = [];

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    db = await target.open();
    app = buildApp(
      testConfig({
        DIGITALOCEAN_TOKEN: TOKEN,
        ADMIN_API_KEY: ADMIN,
        LOG_LEVEL: 'debug',
        DATABASE_URL: `postgresql://app:${DB_PASSWORD}@db.invalid:5432/app`,
      }),
      {
        database: db,
        listen: false,
        logger: createLogger('debug', {}, (l) => lines.push(l)),
        sync: { runOnStart: false },
        doClient: { baseUrl: upstream.url, retries: { max: 0, baseDelayMs: 1, maxDelayMs: 2 }, limits: { pathLimits: [] } },
      },
    );
    await app.start();
  });
  afterAll(async () => {
    await app?.stop();
    await db?.close();
    await upstream?.stop();
  });

  it('stores and serves only status, error id and request id, with the token redacted even where it appears bare', async () => {
    const outcome = await soleAccount(app).sync!.run('DROPLETS', 'MANUAL');
    expect('run' in outcome && outcome.run.status).toBe('FAILED');
    expect(upstream.requests()).toBeGreaterThan(0);
    app.services().log.warn(`the database password is ${DB_PASSWORD}; the admin key is ${ADMIN}`);

    const res = await app.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
      body: JSON.stringify({ query: '{ syncRuns(first: 5) { edges { node { status error } } } }' }),
    });
    const api = await res.text();
    const error: string = JSON.parse(api).data.syncRuns.edges[0].node.error;
    expect(error).toMatch(/403/);
    expect(error).toMatch(/forbidden/);
    expect(error).toMatch(/\[redacted\]/);
    expect(error).not.toMatch(/you sent|authorization|not allowed/i);
    const stored = JSON.stringify(await db.prisma.syncRun.findMany());
    for (const text of [api, stored, lines.join('\n')]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(DB_PASSWORD);
      expect(text).not.toContain(ADMIN);
    }
    expect(lines.join('\n')).toMatch(/sync run failed/);
  });
});
