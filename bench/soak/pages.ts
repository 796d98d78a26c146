// The page query of bench/soak.ts: the resources page over HTTP, started every `everyMs` on a
// fixed clock whatever the previous one is doing (so a slow server shows as latency, not as fewer
// samples), with at most `maxInFlight` open; a tick that finds them all open is counted as
// skipped. A response that is not 200 with data, or has errors, counts as an error.

export const PAGE_QUERY = '{ resources(first: 100) { totalCount edges { node { id name status kind region project { name } tenant { slug name } } } } }';

export type PageWindow = {
  /** Milliseconds of every query that finished in the window. */
  latencies: number[];
  errors: number;
  skipped: number;
  firstErrors: string[];
};

export type PageLoop = {
  /** The window since the last take, and a new one started. */
  take(): PageWindow;
  /** Stops starting queries and waits for the open ones. */
  stop(): Promise<void>;
};

const emptyWindow = (): PageWindow => ({ latencies: [], errors: 0, skipped: 0, firstErrors: [] });

export function startPageLoop(options: { url: string; authorization: string; everyMs: number; maxInFlight?: number; timeoutMs?: number }): PageLoop {
  const maxInFlight = options.maxInFlight ?? 20;
  const body = JSON.stringify({ query: PAGE_QUERY });
  const inFlight = new Set<Promise<void>>();
  let window = emptyWindow();
  const error = (text: string) => {
    window.errors++;
    if (window.firstErrors.length < 3) window.firstErrors.push(text);
  };

  async function one() {
    const started = performance.now();
    try {
      const response = await fetch(`${options.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: options.authorization },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
      const json = (await response.json()) as { data?: { resources?: { edges: unknown[] } }; errors?: unknown[] };
      const ms = performance.now() - started;
      if (response.status !== 200 || json.errors || !json.data?.resources)
        error(`HTTP ${response.status}: ${JSON.stringify(json.errors ?? json).slice(0, 300)}`);
      else window.latencies.push(ms);
    } catch (e) {
      error((e as Error).message);
    }
  }

  const timer = setInterval(() => {
    if (inFlight.size >= maxInFlight) {
      window.skipped++;
      return;
    }
    const p = one().finally(() => inFlight.delete(p));
    inFlight.add(p);
  }, options.everyMs);

  return {
    take() {
      const taken = window;
      window = emptyWindow();
      return taken;
    },
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
    },
  };
}
