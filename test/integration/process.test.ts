import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnServer } from '../helpers/process.js';

const dirs: string[] = [];
async function dataDir() {
  const dir = await mkdtemp(join(tmpdir(), 'inventory-proc-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** The stderr lines that are not structured log lines. */
function plainLines(stderr: string) {
  return stderr.split('\n').filter((l) => l.trim() && !l.startsWith('{'));
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
    const lines = plainLines(stderr);
    expect(lines).toHaveLength(2);
    expect(lines.some((l) => l.startsWith('config: PORT:'))).toBe(true);
    expect(lines.some((l) => l.startsWith('config: DATABASE_URL:'))).toBe(true);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('exits with one clear line when PostgreSQL is unreachable', async () => {
    const s = spawnServer({ DATABASE_URL: 'postgresql://someone:secret-pw@127.0.0.1:1/inventory', PORT: '0' });
    const { code, stderr } = await s.exited;
    expect(code).toBe(1);
    const lines = plainLines(stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^cannot start: cannot reach PostgreSQL at 127\.0\.0\.1:1\/inventory/);
    expect(stderr).not.toContain('secret-pw');
  });

  it('exits with one clear line when the port is in use', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const s = spawnServer({ PORT: String(port), DATA_DIR: await dataDir() });
      const { code, stderr } = await s.exited;
      expect(code).toBe(1);
      expect(plainLines(stderr)).toEqual([`cannot start: port ${port} on 127.0.0.1 is already in use (set PORT to another port)`]);
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
    expect(plainLines(refused.stderr)).toEqual([
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
  });
});
