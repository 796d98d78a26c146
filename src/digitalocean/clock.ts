/** The time source of rate pacing and backoff, shared by the client and the simulator. */

/** Time source. Tests pass a scaled clock so that a minute of rate window lasts well under a second. */
export type Clock = {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with `signal.reason` if the signal aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
};

function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export const systemClock: Clock = { now: () => Date.now(), sleep: realSleep };

/**
 * A clock that runs `factor` times faster than real time (both `now` and `sleep`), starting at
 * the current wall time. Share one instance between the client and the simulator.
 */
export function createScaledClock(factor: number): Clock {
  const start = Date.now();
  const t0 = performance.now();
  return {
    now: () => Math.floor(start + (performance.now() - t0) * factor),
    sleep: (ms, signal) => realSleep(ms / factor, signal),
  };
}
