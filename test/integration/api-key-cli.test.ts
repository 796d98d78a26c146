import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';
import { runNode, spawnServer, type ProgramRun, type ServerProcess } from '../helpers/process.js';

const ADMIN = 'admin-key-for-the-cli-test';

type Run = ProgramRun;

/** Runs `npm run api-key -- <args>` as a separate process (tsx, as the npm script does). */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return runNode(['--import', 'tsx', join(PROJECT_ROOT, 'scripts/api-key.ts'), ...args], env);
}

const noStackTrace = (r: Run) => expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
const lines = (text: string) => text.split('\n').filter((l) => l.trim());

// Each run starts Node with tsx (1-3 s on a busy machine) and the server starts a simulated
// account: generous timeouts, no timed assertions.
describe('npm run api-key', { timeout: 180_000 }, () => {
  it('prints usage for --help (exit 0), and usage with exit 2 for every unknown command or flag', async () => {
    for (const args of [['--help'], ['-h'], ['create', '--help'], []]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(args.length ? 0 : 2);
      expect(r.stdout + r.stderr).toMatch(/usage: npm run api-key -- create --role VIEWER\|OPERATOR/);
      noStackTrace(r);
    }
    for (const args of [
      ['frobnicate'],
      ['list', '--bogus'],
      ['create', '--name', 'x'],
      ['create', '--role', 'ROOT', '--name', 'x'],
      ['revoke'],
      ['create', '--role', 'VIEWER', '--name', 'x', '--expires', 'soon'],
      ['list', 'extra'],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/usage: npm run api-key/);
      noStackTrace(r);
    }
  });

  it('says in one line that the server cannot be reached (exit 1)', async () => {
    const r = await cli(['list', '--url', 'http://127.0.0.1:1/graphql'], { ADMIN_API_KEY: ADMIN });
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^cannot reach the server at http:\/\/127\.0\.0\.1:1\/graphql/)]);
    noStackTrace(r);
  });

  describe('against a running server on the embedded database', () => {
    let dir: string;
    let server: ServerProcess;
    let url: string;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'inventory-cli-'));
      server = spawnServer({ PORT: '0', DATA_DIR: dir, ADMIN_API_KEY: ADMIN });
      url = await server.listening;
      const res = await gql(`mutation { createTenant(input: { slug: "acme", name: "Acme" }) { userErrors { code } } }`, ADMIN);
      expect(res.body.data.createTenant.userErrors).toEqual([]);
    });
    afterAll(async () => {
      server?.child.kill('SIGTERM');
      await server?.exited;
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    async function gql(query: string, key: string) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query }),
      });
      return { status: res.status, body: (await res.json()) as any };
    }

    it('creates, lists and revokes keys through the server while it holds the database', async () => {
      const created = await cli(['create', '--role', 'VIEWER', '--tenant', 'acme', '--name', 'acme dashboard', '--url', `${url}/graphql`], {
        ADMIN_API_KEY: ADMIN,
      });
      expect(created.stderr).toBe('');
      expect(created.code).toBe(0);
      const secret = /^key:\s+(doig_\S+)$/m.exec(created.stdout)?.[1];
      const id = /^id:\s+(\S+)$/m.exec(created.stdout)?.[1];
      expect(secret).toBeDefined();
      expect(id).toBeDefined();
      expect(created.stdout).toMatch(/^tenant:\s+acme$/m);

      const scoped = await gql(`{ tenants(first: 10) { edges { node { slug } } } }`, secret!);
      expect(scoped.body.data.tenants.edges.map((e: any) => e.node.slug)).toEqual(['acme']);

      // The address can come from PORT (and HOST), as the server's does; the key from --key.
      const port = new URL(url).port;
      const listed = await cli(['list', '--key', ADMIN], { PORT: port });
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain(id);
      expect(listed.stdout).toContain('acme dashboard');
      expect(listed.stdout).not.toContain(secret);

      const expiring = await cli(['create', '--role', 'OPERATOR', '--name', 'temp ops', '--expires', new Date(Date.now() + 86_400_000).toISOString()], {
        ADMIN_API_KEY: ADMIN,
        PORT: port,
      });
      expect(expiring.code).toBe(0);
      expect(expiring.stdout).toMatch(/^expires:\s+\d{4}-\d\d-\d\dT/m);

      const revoked = await cli(['revoke', id!], { ADMIN_API_KEY: ADMIN, PORT: port });
      expect(revoked.code).toBe(0);
      expect(revoked.stdout).toContain(`revoked ${id}`);
      expect((await gql(`{ tenants(first: 1) { totalCount } }`, secret!)).status).toBe(401);

      expect((await cli(['list'], { ADMIN_API_KEY: ADMIN, PORT: port })).stdout).not.toContain(id);
      const all = await cli(['list', '--include-revoked'], { ADMIN_API_KEY: ADMIN, PORT: port });
      expect(all.code).toBe(0);
      expect(all.stdout).toContain(id);
      expect(all.stdout).toContain('temp ops');
    });

    it('reports a refused key, a key that may not manage keys, and an unknown tenant or key in one line (exit 1)', async () => {
      const port = new URL(url).port;
      const refused = await cli(['list', '--key', 'not-the-right-key-at-all'], { PORT: port });
      expect(refused.code).toBe(1);
      expect(lines(refused.stderr)).toEqual([expect.stringMatching(/refused the API key/)]);
      expect(refused.stderr).not.toContain('not-the-right-key-at-all');
      noStackTrace(refused);

      const missing = await cli(['list'], { PORT: port });
      expect(missing.code).toBe(1);
      expect(lines(missing.stderr)).toEqual([expect.stringMatching(/ADMIN_API_KEY/)]);

      const viewer = await cli(['create', '--role', 'VIEWER', '--name', 'plain viewer'], { ADMIN_API_KEY: ADMIN, PORT: port });
      const viewerKey = /^key:\s+(\S+)$/m.exec(viewer.stdout)![1]!;
      const forbidden = await cli(['create', '--role', 'OPERATOR', '--name', 'escalate'], { ADMIN_API_KEY: viewerKey, PORT: port });
      expect(forbidden.code).toBe(1);
      expect(lines(forbidden.stderr)).toEqual([expect.stringMatching(/may not manage API keys/)]);

      const tenant = await cli(['create', '--role', 'VIEWER', '--tenant', 'nobody', '--name', 'x'], { ADMIN_API_KEY: ADMIN, PORT: port });
      expect(tenant.code).toBe(1);
      expect(lines(tenant.stderr)).toEqual(['no tenant with slug "nobody"']);

      const unknown = await cli(['revoke', '00000000-0000-4000-8000-000000000000'], { ADMIN_API_KEY: ADMIN, PORT: port });
      expect(unknown.code).toBe(1);
      expect(lines(unknown.stderr)).toEqual([expect.stringMatching(/NOT_FOUND/)]);
    });
  });
});
