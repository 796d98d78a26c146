// The PostGraphile v5 side: the latest 5.x from the npm registry, installed once in
// bench/.cache/postgraphile (a package.json of its own, not the project's), run by its CLI on
// Node 22 with the amber preset against the benchmark database.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { CACHE_DIR } from './cache.js';
import { freePort, startChild, waitForHttp } from './children.js';
import type { Side } from './side.js';

const run = promisify(execFile);
const DIR = join(CACHE_DIR, 'postgraphile');
const CLI = join(DIR, 'node_modules', 'postgraphile', 'dist', 'cli-run.js');

/**
 * The same page as ours, in the amber preset's names (introspected): `id` is the global node id,
 * NAME_ASC is followed by the primary key, and the resource→project relation is the composite
 * foreign key (projectId, accountId).
 */
export const POSTGRAPHILE_QUERY =
  '{ allResources(first: 100, orderBy: NAME_ASC) { nodes { id name status kind region projectByProjectIdAndAccountId { name } tenantByTenantId { slug name } } } }';

/** Installs postgraphile@^5 into bench/.cache/postgraphile unless it is there; its version. */
export async function installPostgraphile(node: string): Promise<string> {
  if (!existsSync(CLI)) {
    console.log('installing postgraphile@^5 into bench/.cache/postgraphile …');
    await mkdir(DIR, { recursive: true });
    await writeFile(
      join(DIR, 'package.json'),
      `${JSON.stringify({ name: 'read-bench-postgraphile', private: true, dependencies: { postgraphile: '^5.0.0' } }, null, 2)}\n`,
    );
    // Node 22 first on PATH, so npm and any install script run on the Node that will run PostGraphile.
    await run('npm', ['install', '--no-audit', '--no-fund', '--omit=dev'], {
      cwd: DIR,
      env: { ...process.env, PATH: `${dirname(node)}:${process.env.PATH ?? ''}` },
      maxBuffer: 16 * 1024 * 1024,
    });
  }
  return JSON.parse(await readFile(join(DIR, 'node_modules', 'postgraphile', 'package.json'), 'utf8')).version as string;
}

/** Starts the installed PostGraphile (installPostgraphile first) on Node 22. */
export async function startPostgraphile(node: string, version: string, databaseUrl: string): Promise<Side> {
  const port = await freePort();
  const child = startChild(
    'PostGraphile',
    node,
    [CLI, '-P', 'postgraphile/presets/amber', '-c', databaseUrl, '-s', 'public', '-n', '127.0.0.1', '-p', String(port)],
    {
      cwd: DIR,
      env: { PATH: `${dirname(node)}:${process.env.PATH ?? ''}`, HOME: process.env.HOME ?? '/tmp', GRAPHILE_ENV: 'production', NODE_ENV: 'production' },
    },
  );
  const url = `http://127.0.0.1:${port}/graphql`;
  const headers = { 'content-type': 'application/json' };
  await waitForHttp(child, url, { method: 'POST', headers, body: JSON.stringify({ query: '{ __typename }' }) });
  return {
    name: 'postgraphile',
    label: `PostGraphile ${version}`,
    child,
    node,
    url,
    headers,
    body: JSON.stringify({ query: POSTGRAPHILE_QUERY }),
    names: (json) => (json as any).data.allResources.nodes.map((n: { name: string }) => n.name),
  };
}
