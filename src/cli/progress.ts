// A sync's progress: a bar on a terminal (cli-progress, on stderr), plain lines otherwise.
import cliProgress from 'cli-progress';

export type RunView = { id: string; worker: string; status: string; progress: { pages: number; items: number } };

export type Reporter = { update(run: RunView): void; stop(): void };

/**
 * `expected` is the item count of the worker's last successful run (0: unknown), the bar's
 * length. A bar only when stderr is a terminal; else one line per change on `out`.
 */
export function createReporter(worker: string, expected: number, out: (line: string) => void, tty = Boolean(process.stderr.isTTY)): Reporter {
  if (!tty) {
    let last = '';
    return {
      update(run) {
        const line =
          run.status === 'RUNNING'
            ? run.progress.pages === 0
              ? `${worker} run ${run.id} started`
              : `${worker} running: ${run.progress.pages} pages, ${run.progress.items} items`
            : `${worker} ${run.status}: ${run.progress.pages} pages, ${run.progress.items} items`;
        if (line !== last) out(line);
        last = line;
      },
      stop() {},
    };
  }
  const known = expected > 0;
  const bar = new cliProgress.SingleBar(
    {
      format: known ? `${worker} [{bar}] {value}/{total} items (last run) | {pages} pages | {status}` : `${worker} {value} items | {pages} pages | {status}`,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let stopped = false;
  return {
    update(run) {
      if (stopped) return;
      const payload = { pages: run.progress.pages, status: run.status };
      const total = Math.max(expected, run.progress.items);
      if (!started) {
        bar.start(total || 1, run.progress.items, payload);
        started = true;
      } else {
        if (known) bar.setTotal(total);
        bar.update(run.progress.items, payload);
      }
    },
    stop() {
      if (started && !stopped) bar.stop();
      stopped = true;
    },
  };
}
