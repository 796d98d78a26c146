// One round of load on one side: bench/read-vs/load-process.ts (autocannon) in a child process on
// this Node 20, keeping `connections` requests in flight for `seconds`.
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/paths.js';
import { onCleanup } from './children.js';
import type { Side } from './side.js';

export type LoadRequest = {
  url: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  seconds: number;
  /** The page checked before the load: any other body counts as a mismatch (an error). */
  expectBody: string;
};

export type LoadResult = {
  /** Answers that were 200 with the expected body. */
  ok: number;
  seconds: number;
  /** `ok` per second. */
  reqPerSec: number;
  /** Latency percentiles of 2xx answers, ms (autocannon's, whole milliseconds). */
  p50: number;
  p99: number;
  non2xx: number;
  /** Connection errors, timeouts included. */
  errors: number;
  timeouts: number;
  /** 200 answers with another body (GraphQL errors, a different page). */
  mismatches: number;
};

const running = new Set<ReturnType<typeof fork>>();
onCleanup(() => {
  for (const child of running) child.kill('SIGKILL');
});

export function load(side: Side, expectBody: string, connections: number, seconds: number): Promise<LoadResult> {
  const child = fork(join(PROJECT_ROOT, 'bench/read-vs/load-process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  running.add(child);
  const request: LoadRequest = { url: side.url, headers: side.headers, body: side.body, connections, seconds, expectBody };
  return new Promise<LoadResult>((resolve, reject) => {
    let result: LoadResult | undefined;
    child.once('message', (m) => (result = m as LoadResult));
    child.once('exit', (code) => {
      running.delete(child);
      if (result) resolve(result);
      else reject(new Error(`the load generator exited (${code}) without a result`));
    });
    child.send(request);
  });
}

/** Errors of any kind in a result. */
export const failures = (r: LoadResult) => r.non2xx + r.errors + r.mismatches;
