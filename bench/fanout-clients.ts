// Subscribers for bench/fanout.ts, in a process of their own: opens `count` graphql-ws clients (one
// socket each) on `url`, subscribes each to `query`, and talks to the parent over IPC:
//   → { type: 'attached', clients }   each client has received an event (a probe)
//   ← { type: 'fire', after }         events after this sequence are the measured ones → { type: 'armed' }
//   → { type: 'done' }                every client has received `expected` of them
//   ← { type: 'report' }              → { type: 'report', received: [sequence, receivedAt, ...], errors, cpuMs, wallMs, elu }
//                                     (this process's CPU time and event-loop utilisation from 'fire' to the last delivery:
//                                     near one core or an ELU near 1 means the clients, not the server, set the pace)
//   ← { type: 'close' }               disposes the clients and exits
import { performance } from 'node:perf_hooks';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

const [url, countText, query, authorization, expectedText] = process.argv.slice(2) as [string, string, string, string, string];
const count = Number(countText);
const expected = Number(expectedText);
const send = (message: unknown) => process.send!(message);
const now = () => performance.timeOrigin + performance.now();

const received: number[] = [];
const errors: string[] = [];
const clients: Client[] = [];
let attached = 0;
let complete = 0;
let after: number | null = null;
let firedAt = { cpu: process.cpuUsage(), wall: 0, elu: performance.eventLoopUtilization() };
let window = { cpuMs: 0, wallMs: 0, elu: 0 };

for (let i = 0; i < count; i++) {
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    keepAlive: 0,
    connectionParams: { authorization },
  });
  clients.push(client);
  let probed = false;
  let real = 0;
  client.subscribe<{ resourceStatusChanged: { sequence: number } }>(
    { query },
    {
      next: (result) => {
        const at = now();
        if (result.errors) {
          if (errors.length < 5) errors.push(JSON.stringify(result.errors));
          if (errors.length === 1) console.error(`fanout client: ${errors[0]}`);
          return;
        }
        const sequence = result.data!.resourceStatusChanged.sequence;
        if (after === null || sequence <= after) {
          if (!probed) {
            probed = true;
            if (++attached === count) send({ type: 'attached', clients: count });
          }
          return;
        }
        received.push(sequence, at);
        if (++real === expected && ++complete === count) {
          const cpu = process.cpuUsage(firedAt.cpu);
          window = {
            cpuMs: (cpu.user + cpu.system) / 1000,
            wallMs: now() - firedAt.wall,
            elu: performance.eventLoopUtilization(firedAt.elu).utilization,
          };
          send({ type: 'done' });
        }
      },
      error: (error) => {
        const close = error as { code?: number; reason?: string };
        const text = error instanceof Error ? error.message : typeof close?.code === 'number' ? `closed ${close.code} ${close.reason ?? ''}` : String(error);
        if (errors.length < 5) errors.push(text);
        if (errors.length === 1) console.error(`fanout client: ${text}`);
      },
      complete: () => {},
    },
  );
}

process.on('message', async (message: { type: string; after?: number }) => {
  if (message.type === 'fire') {
    after = message.after!;
    firedAt = { cpu: process.cpuUsage(), wall: now(), elu: performance.eventLoopUtilization() };
    send({ type: 'armed' });
  }
  if (message.type === 'report') send({ type: 'report', received, errors, ...window });
  if (message.type === 'close') {
    await Promise.all(clients.map((c) => c.dispose()));
    process.exit(0);
  }
});
