import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_WORKERS } from '../../src/domain/workers.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';
import { invoiceCsv } from '../../src/simulator/invoices.js';
import { runNode, spawnServer, type ProgramRun, type ServerProcess } from '../helpers/process.js';

const ADMIN = 'admin-key-for-the-inventory-cli-test';

type Run = ProgramRun;

/** Runs the `inventory` bin as a separate process, its output piped (not a terminal). */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return runNode([join(PROJECT_ROOT, 'scripts/inventory.mjs'), ...args], env);
}

const noStackTrace = (r: Run) => expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
const lines = (text: string) => text.split('\n').filter((l) => l.trim());

describe('the inventory CLI', { timeout: 240_000 }, () => {
  it('prints help with the exit codes for every command (exit 0), and usage with exit 2 for mistakes', async () => {
    for (const args of [['--help'], ['sync', '--help'], ['ingest', '-h'], ['keys', '--help'], ['status', '--help']]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/^usage: inventory /);
      expect(r.stdout).toMatch(/3 {2}cannot reach the server/);
      expect(r.stdout).toContain('INVENTORY_API_KEY');
    }
    expect((await cli(['sync', '--help'])).stdout).toContain('--account <slug|id>');
    for (const args of [
      [],
      ['frobnicate'],
      ['sync'],
      ['sync', 'teapots'],
      ['sync', 'droplets', '--period', '2026-01'],
      ['ingest', 'x.csv'],
      ['ingest', 'x.csv', '--period', '2026-13'],
      ['ingest', '/nonexistent/file.csv', '--period', '2026-01'],
      ['keys', 'create', '--name', 'x'],
      ['keys', 'frobnicate'],
      ['status', 'extra'],
      ['status', '--url', 'ftp://example.com'],
    ]) {
      const r = await cli(args, { INVENTORY_URL: 'http://127.0.0.1:1' });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/usage: inventory/);
      noStackTrace(r);
    }
  });

  it('exits 3 when the server cannot be reached', async () => {
    for (const args of [['status'], ['sync', 'droplets', '--wait'], ['keys', 'list']]) {
      const r = await cli(args, { INVENTORY_URL: 'http://127.0.0.1:1', INVENTORY_API_KEY: ADMIN });
      expect(r.code, args.join(' ')).toBe(3);
      expect(lines(r.stderr)).toEqual([expect.stringMatching(/^cannot reach the server at http:\/\/127\.0\.0\.1:1/)]);
    }
  });

  describe('against a running server on the embedded database and a slow simulated account', () => {
    let dir: string;
    let sim: Simulator;
    let server: ServerProcess;
    let env: Record<string, string>;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'inventory-cli-'));
      // 1,000 droplets: 5 pages of 200, each 300 ms late, so a DROPLETS run outlasts the 500 ms progress throttle.
      sim = createSimulator({ seed: 3, size: { droplets: 1000 }, latencyMs: 300 });
      await sim.start();
      const schedules = Object.fromEntries(SYNC_WORKERS.map((w) => [`SYNC_SCHEDULE_${w}`, 'off']));
      server = spawnServer({
        PORT: '0',
        DATA_DIR: dir,
        ADMIN_API_KEY: ADMIN,
        DIGITALOCEAN_TOKEN: 'cli-test-token',
        DIGITALOCEAN_API_URL: sim.url,
        ...schedules,
      });
      const url = await server.listening;
      env = { INVENTORY_URL: url, INVENTORY_API_KEY: ADMIN };
    });
    afterAll(async () => {
      server?.child.kill('SIGTERM');
      await server?.exited;
      await sim?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('status: ready, and every worker', async () => {
      const r = await cli(['status'], env);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^server http:\/\/\S+: ready$/m);
      expect(r.stdout).toMatch(/^DROPLETS\s+off\s+idle\s+-\s+-/m);
    });

    it('sync --wait: plain progress lines while the run goes, then what it did (exit 0)', async () => {
      const r = await cli(['sync', 'droplets', '--wait'], env);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = lines(r.stdout);
      // No terminal: no bar, no control characters; progress as lines with pages read so far.
      expect(r.stdout).not.toContain(String.fromCharCode(27));
      expect(r.stdout).not.toContain('\r');
      const progress = out.filter((l) => /^DROPLETS running: \d+ pages, \d+ items$/.test(l));
      expect(progress.length).toBeGreaterThanOrEqual(1);
      expect(Number(/running: (\d+) pages/.exec(progress[0]!)![1])).toBeGreaterThan(0);
      expect(out.at(-1)).toMatch(/^DROPLETS SUCCEEDED in \d+\.\d s: 1\d{3} fetched, 1\d{3} created, .*; 6 pages, \d+ DigitalOcean requests; run \S+$/);
      expect(out.indexOf(progress[0]!)).toBeLessThan(out.length - 1);
    });

    it('sync without --wait returns once the run started, and the run goes on on the server', async () => {
      const started = await cli(['sync', 'DROPLETS'], env);
      expect(started.code).toBe(0);
      const id = /^DROPLETS run (\S+) started; it goes on on the server/m.exec(started.stdout)?.[1];
      expect(id).toBeDefined();
      const status = await cli(['status'], env);
      expect(status.stdout).toMatch(/^DROPLETS\s+off\s+(running|idle)\s+\S+\s+(RUNNING|SUCCEEDED)/m);
    });

    it('ingest: the invoice and its matches (exit 0); a bad CSV is a userError (exit 1)', async () => {
      const invoice = sim.invoices()[0]!;
      const file = join(dir, 'invoice.csv');
      await writeFile(file, invoiceCsv(invoice));
      const r = await cli(['ingest', file, '--period', invoice.period], env);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^invoice \\S+: ${invoice.period}, [\\d.]+ from CSV, \\d+ lines$`, 'm'));
      expect(r.stdout).toMatch(/^matched \d+ of \d+ lines \(\d+\.\d %\)/m);

      const bad = join(dir, 'bad.csv');
      await writeFile(bad, 'not,an,invoice\n1,2,3\n');
      const failed = await cli(['ingest', bad, '--period', '2026-01'], env);
      expect(failed.code).toBe(1);
      expect(lines(failed.stderr)).toEqual([expect.stringMatching(/^[A-Z_]+: /)]);
    });

    it('keys create, list and revoke; a refused key exits 3', async () => {
      const made = await cli(['keys', 'create', '--role', 'VIEWER', '--name', 'cli viewer'], env);
      expect(made.code).toBe(0);
      const id = /^id:\s+(\S+)$/m.exec(made.stdout)![1]!;
      const secret = /^key:\s+(\S+)$/m.exec(made.stdout)![1]!;
      const listed = await cli(['keys', 'list'], env);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain(id);
      expect(listed.stdout).not.toContain(secret);
      const forbidden = await cli(['keys', 'list'], { ...env, INVENTORY_API_KEY: secret });
      expect(forbidden.code).toBe(3);
      expect(lines(forbidden.stderr)).toEqual([expect.stringMatching(/may not manage API keys/)]);
      const revoked = await cli(['keys', 'revoke', id], env);
      expect(revoked.code).toBe(0);
      expect(revoked.stdout).toContain(`revoked ${id}`);
      const refused = await cli(['status'], { ...env, INVENTORY_API_KEY: 'not-a-key-of-this-server' });
      expect(refused.code).toBe(3);
      expect(lines(refused.stderr)).toEqual([expect.stringMatching(/refused the API key/)]);
      expect(refused.stderr).not.toContain('not-a-key-of-this-server');
    });
  });
});
