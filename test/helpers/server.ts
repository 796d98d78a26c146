import WebSocket from 'ws';
import { buildApp, type App, type AppOverrides } from '../../src/app.js';
import type { Database } from '../../src/db/index.js';
import { createLogger } from '../../src/log.js';
import { testConfig } from './app.js';

export type TestServer = { app: App; url: string; wsUrl: string; stop(): Promise<void> };

/** A real server on port 0 (HTTP and WebSocket), no sync workers. */
export async function startTestServer(db: Database, env: Record<string, string> = {}, overrides: AppOverrides = {}): Promise<TestServer> {
  const app = buildApp(testConfig({ PORT: '0', ...env }), { database: db, logger: createLogger('silent'), sync: false, ...overrides });
  const { url } = await app.start();
  return { app, url, wsUrl: `${url.replace(/^http/, 'ws')}/graphql`, stop: () => app.stop() };
}

export type RawSocket = {
  ws: WebSocket;
  /** Resolves once the upgrade succeeded, rejects with the HTTP status if it was refused. */
  opened: Promise<void>;
  /** Resolves with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  /** graphql-ws messages received, parsed. */
  messages: any[];
  /** Resolves with the first message of this type. */
  next(type: string): Promise<any>;
  send(message: unknown): void;
};

/** A WebSocket speaking graphql-transport-ws by hand, to see close codes and raw messages. */
export function rawSocket(url: string, headers: Record<string, string> = {}): RawSocket {
  const ws = new WebSocket(url, 'graphql-transport-ws', { headers });
  const messages: any[] = [];
  const waiters: { type: string; resolve(m: any): void }[] = [];
  ws.on('message', (data) => {
    const message = JSON.parse(String(data));
    messages.push(message);
    for (const w of waiters.filter((w) => w.type === message.type)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(message);
    }
  });
  ws.on('error', () => {});
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
    ws.once('error', reject);
  });
  opened.catch(() => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  return {
    ws,
    opened,
    closed,
    messages,
    next(type) {
      const found = messages.find((m) => m.type === type);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ type, resolve }));
    },
    send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
  };
}

/** A yoga/envelop plugin that counts parse and validate calls (to prove they did not run). */
export function operationSpy() {
  const counts = { parse: 0, validate: 0 };
  return {
    counts,
    plugin: {
      onParse() {
        counts.parse++;
      },
      onValidate() {
        counts.validate++;
      },
    },
  };
}
