// This server as a user runs it (`npm start`: node --import tsx src/main.ts, on this Node 20) with
// production settings: NODE_ENV=production, an operator key required (ADMIN_API_KEY, sent as a
// Bearer token), one account whose token is never used because every sync schedule is `off`,
// and logs at warn (no per-operation info lines).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { SYNC_WORKERS } from '../../src/domain/workers.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { freePort, startChild, waitForHttp } from './children.js';
import type { Side } from './side.js';

export const OUR_QUERY = '{ resources(first: 100) { edges { node { id name status kind region project { name } tenant { slug name } } } } }';

/** Starts the server on the database; it applies the migrations and creates the account `default`. */
export async function startOurs(databaseUrl: string, options: { profile?: string | null; node?: string | null } = {}): Promise<Side> {
  const port = await freePort();
  const adminKey = randomBytes(24).toString('hex');
  const schedules = Object.fromEntries(SYNC_WORKERS.map((w) => [`SYNC_SCHEDULE_${w}`, 'off']));
  const node = options.node ?? process.execPath;
  const profile = options.profile ? ['--cpu-prof', `--cpu-prof-dir=${options.profile}`] : [];
  const child = startChild('this server', node, [...profile, '--import', 'tsx', join(PROJECT_ROOT, 'src/main.ts')], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      ADMIN_API_KEY: adminKey,
      // Required in production; never called, as no worker is scheduled.
      DIGITALOCEAN_TOKEN: 'read-bench-unused-token',
      DIGITALOCEAN_API_URL: 'http://127.0.0.1:9',
      LOG_LEVEL: 'warn',
      ...schedules,
    },
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(child, `${base}/readyz`);
  return {
    name: 'ours',
    label: 'this server',
    child,
    node,
    url: `${base}/graphql`,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
    body: JSON.stringify({ query: OUR_QUERY }),
    names: (json) => (json as any).data.resources.edges.map((e: { node: { name: string } }) => e.node.name),
  };
}
