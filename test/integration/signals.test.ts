// A service manager (Docker, systemd, Kubernetes) stops a service by signalling the one
// process it started. `npm start` must stop the server that way: npm forwards SIGTERM and
// SIGINT to its script's process, which must be the server itself, not a shell or a
// launcher that dies and leaves the server listening.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer } from '../helpers/process.js';

/** The pids of every process below `pid` (read from /proc, as `ps` does). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended while we looked
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const visit = (p: number) => {
    for (const child of parents.get(p) ?? []) {
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
}

/** Whether the process still runs (a zombie waiting to be reaped does not). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function portAccepts(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

let dataDir = '';
let leftovers: number[] = [];
beforeAll(async () => {
  // One embedded database for every start (migrated once): each test is about stopping.
  dataDir = await mkdtemp(join(tmpdir(), 'inventory-signals-'));
});
afterEach(() => {
  // A server the signal did not stop would hold the data dir and its port: end it here.
  for (const pid of leftovers) if (running(pid)) process.kill(pid, 'SIGKILL');
  leftovers = [];
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('npm start', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`stops the server when the process it started gets ${signal}`, async () => {
      const s = spawnServer({ PORT: '0', DATA_DIR: dataDir }, ['npm', 'start']);
      const url = await s.listening;
      const tree = descendants(s.child.pid!);
      leftovers = tree;
      expect(tree.length).toBeGreaterThan(0);

      const sentAt = Date.now();
      s.child.kill(signal);
      const exited = await s.exited;
      const took = Date.now() - sentAt;

      expect(exited.code).toBe(0);
      expect(exited.stderr).toContain(`${signal}: shutting down`);
      // A few seconds at most, generous for a loaded 2-core machine (well under 1 s idle).
      expect(took).toBeLessThan(10_000);
      expect(await portAccepts(url)).toBe(false);
      expect(tree.filter(running)).toEqual([]);
    }, 180_000); // a first start migrates the embedded database: slow on a loaded machine
  }
});
