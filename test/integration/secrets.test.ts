import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createLogger } from '../../src/log.js';
import { createSimulator } from '../../src/simulator/index.js';
import { openEmbeddedTestDatabase } from '../helpers/db.js';
import { testConfig } from '../helpers/app.js';
import { soleAccount } from '../helpers/sole-account.js';

const TOKEN = 'dop_v1_0123456789abcdefSECRETTOKEN';

describe('secrets', () => {
  it('never writes the DigitalOcean token, even when syncs fail, into logs, runs or the API', async () => {
    const lines: string[] = [];
    const sim = createSimulator({ seed: 5 });
    await sim.start();
    const db = await openEmbeddedTestDatabase();
    const app = buildApp(testConfig({ DIGITALOCEAN_TOKEN: TOKEN, LOG_LEVEL: 'debug' }), {
      database: db,
      listen: false,
      logger: createLogger('debug', {}, (l) => lines.push(l)),
      sync: { runOnStart: false },
      doClient: { baseUrl: sim.url, retries: { max: 1, baseDelayMs: 1, maxDelayMs: 2 } },
    });
    try {
      await app.start();
      const sync = soleAccount(app).sync!;
      sim.script.faults.failPage('/v2/droplets', 1, 500, 5);
      sim.script.faults.malformedJson('/v2/volumes', 1, 5);
      sim.script.faults.failPage('/v2/domains', 1, 401, 1);
      sim.script.faults.resetConnection('/v2/firewalls', 1, 5);
      for (const worker of ['DROPLETS', 'VOLUMES', 'DOMAINS', 'FIREWALLS', 'DATABASES'] as const) await sync.run(worker, 'MANUAL');
      const runs = await db.prisma.syncRun.findMany();
      expect(runs.filter((r) => r.status === 'FAILED')).toHaveLength(4);
      const res = await app.fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: '{ syncRuns(first: 20) { edges { node { worker status error } } } resources(first: 100) { edges { node { attrs } } } }',
        }),
      });
      const api = await res.text();
      const stored = JSON.stringify(runs) + JSON.stringify(await db.prisma.resource.findMany({ select: { attrs: true } }));
      for (const text of [lines.join('\n'), api, stored]) {
        expect(text).not.toContain(TOKEN);
        expect(text).not.toMatch(/bearer\s+dop_/i);
      }
      expect(lines.length).toBeGreaterThan(0);
      // Database clusters' credentials never reach a row.
      expect(stored).not.toMatch(/"password"|"connection"/);
    } finally {
      await app.stop();
      await db.close();
      await sim.stop();
    }
  });
});
