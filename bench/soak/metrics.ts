// A few figures of the server's /metrics (Prometheus text) for bench/soak.ts: V8 heap in use,
// active handles, subscriptions open (summed over their labels), CPU seconds so far, and the
// event loop delay p99 and max since the previous scrape (prom-client resets it on every collect).

export type ServerFigures = {
  heapUsedBytes: number | null;
  activeHandles: number | null;
  subscriptionsOpen: number | null;
  cpuSeconds: number | null;
  loopDelayP99Seconds: number | null;
  loopDelayMaxSeconds: number | null;
};

/** Sum of every sample of `name` (all label sets); null when there is none. */
function sum(text: string, name: string): number | null {
  let total: number | null = null;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) total = (total ?? 0) + value;
  }
  return total;
}

export async function scrapeFigures(url: string, authorization: string): Promise<ServerFigures> {
  try {
    const response = await fetch(`${url}/metrics`, { headers: { authorization }, signal: AbortSignal.timeout(10_000) });
    const text = await response.text();
    return {
      heapUsedBytes: sum(text, 'nodejs_heap_size_used_bytes'),
      activeHandles: sum(text, 'nodejs_active_handles_total'),
      subscriptionsOpen: sum(text, 'inventory_graphql_subscriptions_open'),
      cpuSeconds: sum(text, 'process_cpu_seconds_total'),
      loopDelayP99Seconds: sum(text, 'nodejs_eventloop_lag_p99_seconds'),
      loopDelayMaxSeconds: sum(text, 'nodejs_eventloop_lag_max_seconds'),
    };
  } catch {
    return { heapUsedBytes: null, activeHandles: null, subscriptionsOpen: null, cpuSeconds: null, loopDelayP99Seconds: null, loopDelayMaxSeconds: null };
  }
}
