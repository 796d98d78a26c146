import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Config } from '../config.js';
import type { Database } from '../db/index.js';
import type { PubSub } from '../pubsub.js';
import { StartupError, type Component } from './lifecycle.js';

/** How long in-flight requests may finish after stop() before their sockets are closed. */
const STOP_GRACE_MS = 10_000;

export type HttpServer = Component & {
  /** The Node server (after start), for the WebSocket server to attach to. */
  readonly server: Server;
  /** `http://host:port` as listening (after start). */
  readonly url: string;
};

/**
 * The HTTP server on HOST:PORT: /healthz (the process answers), /readyz (database and Redis,
 * as JSON) and everything else to `handler` (GraphQL). Start fails with a one-line message
 * when the address cannot be used; stop lets in-flight requests finish for 10 s.
 */
export function createHttpServer(
  config: Pick<Config, 'host' | 'port'>,
  deps: {
    handler: (req: IncomingMessage, res: ServerResponse) => unknown;
    db: Database;
    pubsub: PubSub;
    /** Observes every request; `serves`/`serve` answer /metrics (src/metrics). */
    metrics?: {
      observe(req: IncomingMessage, res: ServerResponse): void;
      serves?(req: IncomingMessage): boolean;
      serve?(req: IncomingMessage, res: ServerResponse): unknown;
    };
  },
): HttpServer {
  const { db, pubsub, metrics } = deps;
  const sockets = new Set<Socket>();
  let url: string | undefined;
  const server = createServer((req, res) => {
    metrics?.observe(req, res);
    if (metrics?.serve && metrics.serves?.(req)) {
      void metrics.serve(req, res);
      return;
    }
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (req.url === '/readyz') {
      // Asked of the database and Redis each time, within 2 s. Only the database decides
      // readiness (503 without it); without Redis the server serves and commits, and says it is
      // degraded: live events stop crossing replicas until Redis is back.
      void Promise.all([db.status(), pubsub.health()]).then(([database, redis]) => {
        const status = database !== 'ok' ? 'not ready' : redis === 'ok' ? 'ready' : 'degraded';
        const body = { status, database, ...(pubsub.transport === 'redis' ? { redis } : {}) };
        res.writeHead(database === 'ok' ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
      return;
    }
    void deps.handler(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  return {
    server,
    get url() {
      if (url === undefined) throw new Error('HTTP server not started');
      return url;
    },
    async start() {
      await new Promise<void>((resolve, reject) => {
        const onError = (error: NodeJS.ErrnoException) => {
          reject(
            new StartupError(
              error.code === 'EADDRINUSE'
                ? `port ${config.port} on ${config.host} is already in use (set PORT to another port)`
                : error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND'
                  ? `cannot listen on HOST=${config.host}: ${error.code}`
                  : `cannot listen on ${config.host}:${config.port}: ${error.code ?? error.message}`,
            ),
          );
        };
        server.once('error', onError);
        server.listen(config.port, config.host, () => {
          server.off('error', onError);
          resolve();
        });
      });
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    },
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // In-flight requests get a grace period, then their sockets are closed.
        setTimeout(() => {
          for (const s of sockets) s.destroy();
        }, STOP_GRACE_MS).unref();
      });
    },
  };
}
