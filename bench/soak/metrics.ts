// A few figures of the server's /metrics (Prometheus text) for bench/soak.ts: V8 heap in use,
// active handles, and subscriptions open (summed over their labels).

export type ServerFigures = { heapUsedBytes: number | null; activeHandles: number | null; subscriptionsOpen: number | null };

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
    };
  } catch {
    return { heapUsedBytes: null, activeHandles: null, subscriptionsOpen: null };
  }
}
