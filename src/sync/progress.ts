import type { DoSession } from '../digitalocean/client.js';

/** Longest a running run goes without reporting the pages it has read (when it read any since). */
export const PROGRESS_INTERVAL_MS = 500;

/** Pages of DigitalOcean listings a run has read so far, and the items on them. */
export type RunProgress = { pages: number; items: number };

/**
 * Wraps a session so that every page its listings yield is counted, and `report` is awaited
 * with the counts at most every `intervalMs` (before the page is handed on, so a report never
 * lands after the run's end). A failed report is given to `onError` and the listing goes on.
 */
export function trackProgress(
  session: DoSession,
  report: (progress: Readonly<RunProgress>) => Promise<void>,
  onError: (error: unknown) => void,
  intervalMs = PROGRESS_INTERVAL_MS,
): { session: DoSession; progress: Readonly<RunProgress> } {
  const progress: RunProgress = { pages: 0, items: 0 };
  let reportedAt = Date.now();
  const tracked: DoSession = {
    async *pages(spec, onInvalid) {
      for await (const page of session.pages(spec, onInvalid)) {
        progress.pages++;
        progress.items += page.length;
        if (Date.now() - reportedAt >= intervalMs) {
          reportedAt = Date.now();
          await report({ ...progress }).catch(onError);
        }
        yield page;
      }
    },
    get: (path, schema, query) => session.get(path, schema, query),
    getText: (path, query) => session.getText(path, query),
    get requests() {
      return session.requests;
    },
    get rateLimitRemaining() {
      return session.rateLimitRemaining;
    },
  };
  return { session: tracked, progress };
}
