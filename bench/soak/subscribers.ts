// Subscribers for bench/soak.ts, in a process of their own: `count` graphql-ws clients (one socket
// each) on `url`, each subscribed to `query`, each closing its socket and opening a new one every
// `reconnectMs` (the first close staggered over one period across all the processes' subscribers,
// so reconnects are spread evenly).
// Talks to the parent over IPC:
//   → { type: 'connected' }   every client has been acknowledged once
//   ← { type: 'report' }      → { type: 'report', connects, events, errors, firstErrors } (totals)
//   ← { type: 'close' }       closes every client and exits
// An error is anything not asked for: a socket closed by the server or refused, a subscription
// completed or failed by the server, a result with errors.
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, countText, reconnectText, query, authorization, offsetText, totalText] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
  string,
];
const count = Number(countText);
// This process's subscribers are numbers offset…offset+count-1 of `total` (for the staggering).
const offset = Number(offsetText);
const total = Number(totalText);
const reconnectMs = Number(reconnectText);
const send = (message: unknown) => process.send?.(message);

let connects = 0;
let events = 0;
let errors = 0;
const firstErrors: string[] = [];
let acknowledged = 0;
let closing = false;
const live = new Set<Client>();
const timers = new Set<NodeJS.Timeout>();

function error(text: string) {
  errors++;
  if (firstErrors.length < 5) {
    firstErrors.push(text);
    console.error(`soak subscriber: ${text}`);
  }
}

const describe = (e: unknown) => {
  const close = e as { code?: number; reason?: string };
  return e instanceof Error ? e.message : typeof close?.code === 'number' ? `socket closed ${close.code} ${close.reason ?? ''}`.trim() : String(e);
};

/** One connection of a subscriber, replaced by the next after `lifetimeMs`. */
function connect(lifetimeMs: number, first: boolean) {
  let ending = false;
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    keepAlive: 0,
    connectionParams: { authorization },
    on: {
      connected: () => {
        connects++;
        if (first && ++acknowledged === count) send({ type: 'connected' });
      },
      closed: (event) => {
        const code = (event as { code?: number }).code;
        if (!ending && !closing) error(`socket closed by the server (${code})`);
      },
    },
  });
  live.add(client);
  const unsubscribe = client.subscribe<{ resourceStatusChanged: { sequence: number } }>(
    { query },
    {
      next: (result) => {
        if (result.errors) error(`result errors: ${JSON.stringify(result.errors).slice(0, 300)}`);
        else events++;
      },
      error: (e) => {
        if (!ending && !closing) error(describe(e));
      },
      complete: () => {
        if (!ending && !closing) error('subscription completed by the server');
      },
    },
  );
  const timer = setTimeout(async () => {
    timers.delete(timer);
    ending = true;
    unsubscribe();
    await client.dispose();
    live.delete(client);
    if (!closing) connect(reconnectMs, false);
  }, lifetimeMs);
  timers.add(timer);
}

for (let i = 0; i < count; i++) connect(Math.round((reconnectMs * (offset + i + 1)) / total), true);

process.on('message', async (message: { type: string }) => {
  if (message.type === 'report') send({ type: 'report', connects, events, errors, firstErrors });
  if (message.type === 'close') {
    closing = true;
    for (const t of timers) clearTimeout(t);
    await Promise.all([...live].map((c) => c.dispose()));
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
