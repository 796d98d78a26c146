// Memory held by a server that receives oversized WebSocket messages before any key is checked:
// starts `src/main.ts` of a project tree (default: this one) with ADMIN_API_KEY set, sends three
// 90 MB connection_init messages with a wrong key, and prints the close codes and the server's RSS
// before and after. Usage: npx tsx bench/ws-init-memory.ts [project root] [port]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { PROJECT_ROOT } from '../src/paths.js';

const root = process.argv[2] ?? PROJECT_ROOT;
const port = process.argv[3] ?? '47319';
const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/main.ts')], {
  cwd: root,
  env: {
    PATH: process.env.PATH,
    HOME: tmpdir(),
    PORT: port,
    DATA_DIR: join(tmpdir(), `ws-init-memory-${port}`),
    ADMIN_API_KEY: 'bench-admin-key-0123456789',
    LOG_LEVEL: 'error',
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const rssMB = () => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024);

for (;;) {
  try {
    if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
  } catch {
    // not listening yet
  }
  await new Promise((r) => setTimeout(r, 300));
}
await new Promise((r) => setTimeout(r, 3000));
const before = rssMB();
const message = JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer wrong', padding: 'x'.repeat(90 * 1024 * 1024) } });
const closeCodes: number[] = [];
for (let i = 0; i < 3; i++) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
  ws.on('error', () => {});
  await new Promise((r) => ws.once('open', r));
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  ws.send(message);
  closeCodes.push(await closed);
}
await new Promise((r) => setTimeout(r, 1000));
console.log(JSON.stringify({ root, closeCodes, rssBeforeMB: before, rssAfterMB: rssMB() }));
child.kill('SIGTERM');
