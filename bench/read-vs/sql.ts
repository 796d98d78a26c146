// The baseline side: bench/read-vs/sql-server.ts on this Node 20, one SQL statement per request.
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/paths.js';
import { freePort, startChild, waitForHttp } from './children.js';
import type { Side } from './side.js';

export async function startSql(databaseUrl: string, accountId: string): Promise<Side> {
  const port = await freePort();
  const child = startChild('one SQL statement', process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'bench/read-vs/sql-server.ts')], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATABASE_URL: databaseUrl, PORT: String(port), ACCOUNT_ID: accountId },
  });
  const url = `http://127.0.0.1:${port}/`;
  const headers = { 'content-type': 'application/json' };
  await waitForHttp(child, url, { method: 'POST', headers, body: '{}' });
  return {
    name: 'sql',
    label: 'one SQL statement',
    child,
    node: process.execPath,
    url,
    headers,
    body: '{}',
    names: (json) => (json as any).data.resources.edges.map((e: { node: { name: string } }) => e.node.name),
  };
}
