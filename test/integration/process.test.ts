import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { logLines, spawnServer } from '../helpers/process.js';

const dirs: string[] = [];
async function dataDir() {
  const dir = await mkdtemp(join(tmpdir(), 'inventory-proc-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** The messages of the error lines on stderr; every line must be a JSON log line. */
function errorLines(stderr: string) {
  return logLines(stderr)
    .filter((l) => l.level === 'error')
    .map((l) => l.msg as string);
}

async function gql(url: string, query: string) {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return (await res.json()) as any;
}

describe('the server process', () => {
  it('exits with one clear line for a malformed PORT and a bad DATABASE_URL, reported together', async () => {
    const s = spawnServer({ PORT: 'eighty', DATABASE_URL: 'mysql://nope', DATA_DIR: await dataDir() });
    const { code, stderr } = await s.exited;
    expect(code).toBe(2);
    const lines = errorLines(stderr);
    expect(lines).toHaveLength(2);
    expect(lines.some((l) => l.startsWith('config: PORT:'))).toBe(true);
    expect(lines.some((l) => l.startsWith('config: DATABASE_URL:'))).toBe(true);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(logLines(stderr).filter((l) => 'stack' in l || /\n/.test(l.msg))).toEqual([]);
  });

  it('writes its report as readable lines, not JSON, with LOG_FORMAT=pretty', async () => {
    const s = spawnServer({ PORT: 'eighty', LOG_FORMAT: 'pretty', DATA_DIR: await dataDir() });
    const { code, stderr } = await s.exited;
    expect(code).toBe(2);
    const lines = stderr.split('\n').filter((l) => l.trim());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] ERROR: config: PORT: /);
  });

  it('exits with one clear line when PostgreSQL is unreachable', async () => {
    const s = spawnServer({ DATABASE_URL: 'postgresql://someone:secret-pw@127.0.0.1:1/inventory', PORT: '0' });
    const { code, stderr } = await s.exited;
    expect(code).toBe(1);
    const lines = errorLines(stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^cannot start: cannot reach PostgreSQL at 127\.0\.0\.1:1\/inventory/);
    expect(lines[0]).toContain('ECONNREFUSED');
    expect(stderr).not.toContain('secret-pw');
  });

  describe.skipIf(!process.env.TEST_DATABASE_URL)('on the local PostgreSQL', () => {
    const at = (change: (u: URL) => void) => {
      const u = new URL(process.env.TEST_DATABASE_URL!);
      change(u);
      return { url: u.toString(), target: `${u.hostname}:${u.port || 5432}` };
    };

    it('names a missing database, not a driver code', async () => {
      const { url, target } = at((u) => (u.pathname = '/no_such_inventory_db'));
      const { code, stderr } = await spawnServer({ DATABASE_URL: url, PORT: '0' }).exited;
      expect(code).toBe(1);
      expect(errorLines(stderr)).toEqual([
        `cannot start: cannot use PostgreSQL at ${target}/no_such_inventory_db: database "no_such_inventory_db" does not exist (3D000); create it (CREATE DATABASE "no_such_inventory_db") or fix the database name in DATABASE_URL`,
      ]);
    });

    it('names a missing role, without its password', async () => {
      const { url, target } = at((u) => {
        u.username = 'no_such_inventory_role';
        u.password = 'role-secret-pw';
      });
      const { code, stderr } = await spawnServer({ DATABASE_URL: url, PORT: '0' }).exited;
      expect(code).toBe(1);
      const lines = errorLines(stderr);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `^cannot start: cannot use PostgreSQL at ${target.replace(/\./g, '\\.')}/\\S*: the server refused role "no_such_inventory_role" \\(28000: role "no_such_inventory_role" does not exist\\)`,
        ),
      );
      expect(stderr).not.toContain('role-secret-pw');
      expect(stderr).not.toContain('P2010');
    });
  });

  it('exits with one clear line when the port is in use', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const s = spawnServer({ PORT: String(port), DATA_DIR: await dataDir() });
      const { code, stderr } = await s.exited;
      expect(code).toBe(1);
      expect(errorLines(stderr)).toEqual([`cannot start: port ${port} on 127.0.0.1 is already in use (set PORT to another port)`]);
    } finally {
      blocker.close();
    }
  });

  it('keeps committed data after SIGKILL and refuses a second server on the same DATA_DIR', async () => {
    const dir = await dataDir();
    const first = spawnServer({ PORT: '0', DATA_DIR: dir });
    const url = await first.listening;
    const created = await gql(url, `mutation { createTenant(input: { slug: "acme", name: "Acme" }) { tenant { slug } userErrors { code } } }`);
    expect(created.data.createTenant).toEqual({ tenant: { slug: 'acme' }, userErrors: [] });

    const second = spawnServer({ PORT: '0', DATA_DIR: dir });
    const refused = await second.exited;
    expect(refused.code).toBe(1);
    expect(errorLines(refused.stderr)).toEqual([
      `cannot start: the embedded database in ${dir} is in use by process ${first.child.pid}; stop it, or set DATA_DIR to another folder or DATABASE_URL to PostgreSQL`,
    ]);

    first.child.kill('SIGKILL');
    await first.exited;

    const again = spawnServer({ PORT: '0', DATA_DIR: dir });
    const url2 = await again.listening;
    const found = await gql(url2, `{ tenant(slug: "acme") { name } }`);
    expect(found.data.tenant).toEqual({ name: 'Acme' });
    again.child.kill('SIGTERM');
    const stopped = await again.exited;
    expect(stopped.code).toBe(0);
    // Every line is JSON: the start, the operations and the shutdown alike.
    const lines = logLines(stopped.stderr);
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining([`inventory graph listening on ${url2}/graphql (GraphiQL in a browser)`, 'SIGTERM: shutting down']),
    );
    expect(lines.filter((l) => l.msg === 'graphql operation')).toEqual([expect.objectContaining({ level: 'info', type: 'query', result: 'ok' })]);
  });
});
