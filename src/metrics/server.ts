import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { StartupError, type Component } from '../components/lifecycle.js';
import { isMetricsRequest } from './http.js';

export type MetricsServer = Component & {
  /** `http://host:port` as listening (after start). */
  readonly url: string;
};

/**
 * /metrics on a port of its own (METRICS_PORT, on METRICS_HOST), without a key: for a network
 * only Prometheus reaches. Every other path is 404.
 */
export function createMetricsServer(
  config: { host: string; port: number },
  serve: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): MetricsServer {
  let url: string | undefined;
  const server = createServer((req, res) => {
    if (isMetricsRequest(req)) void serve(req, res);
    else res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: metrics are at /metrics\n');
  });
  return {
    get url() {
      if (url === undefined) throw new Error('metrics server not started');
      return url;
    },
    async start() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', (error: NodeJS.ErrnoException) =>
          reject(new StartupError(`cannot serve metrics on ${config.host}:${config.port}: ${error.code ?? error.message} (see METRICS_PORT, METRICS_HOST)`)),
        );
        server.listen(config.port, config.host, () => resolve());
      });
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    },
    async stop() {
      if (!server.listening) return;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
