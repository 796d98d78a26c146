import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Cooperative time slicing for long loops on the main thread (a 20 MiB invoice is ~200,000
 * lines): the loop asks `due()` after each item and, when it says so, awaits `pause()`,
 * which gives the event loop a turn (timers, sockets, other requests) and starts a new slice.
 */

/** Milliseconds of synchronous work between two turns of the event loop. */
export const SLICE_MS = 10;

/** Items between two clock reads (keeps `due()` nearly free). */
const CHECK_EVERY = 64;

export type Slicer = {
  /** True when the current slice has used its time: the caller should `await pause()`. */
  due(): boolean;
  /** Yields to the event loop (`setImmediate`) and starts a new slice. */
  pause(): Promise<void>;
};

export function createSlicer(sliceMs: number = SLICE_MS): Slicer {
  let started = performance.now();
  let count = 0;
  return {
    due: () => ++count % CHECK_EVERY === 0 && performance.now() - started >= sliceMs,
    pause: async () => {
      await nextTurn();
      started = performance.now();
      count = 0;
    },
  };
}

/**
 * Runs a generator of steps to completion: synchronously without a slicer, else yielding to
 * the event loop whenever a slice is used up. Lets one implementation serve both a plain
 * function and its non-blocking variant.
 */
export function runSteps<T>(steps: Generator<unknown, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** `runSteps`, giving the event loop a turn whenever `slicer` says so. */
export async function runStepsSliced<T>(steps: Generator<unknown, T>, slicer: Slicer = createSlicer()): Promise<T> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (slicer.due()) await slicer.pause();
  }
}

/** Characters encoded per step by `utf8Sliced` (1 Mi UTF-16 units, at most 3 MiB of UTF-8). */
const ENCODE_CHUNK = 1 << 20;

/**
 * `Buffer.from(text, 'utf8')` in steps of `ENCODE_CHUNK` characters, yielding between them
 * (never splitting a surrogate pair), so a 20 MiB string is encoded without one long block.
 */
export async function utf8Sliced(text: string, slicer: Slicer = createSlicer()): Promise<Buffer> {
  if (text.length <= ENCODE_CHUNK) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  for (let at = 0; at < text.length; ) {
    let end = Math.min(at + ENCODE_CHUNK, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end++;
    parts.push(Buffer.from(text.slice(at, end), 'utf8'));
    at = end;
    await slicer.pause();
  }
  return Buffer.concat(parts);
}

/**
 * `JSON.stringify(rows)` built one row per step, yielding whenever a slice is used up: a
 * chunk of 10,000 invoice lines is several MB of JSON.
 */
export async function jsonArraySliced(rows: readonly unknown[], slicer: Slicer = createSlicer()): Promise<string> {
  const parts: string[] = [];
  for (const row of rows) {
    parts.push(JSON.stringify(row));
    if (slicer.due()) await slicer.pause();
  }
  return `[${parts.join(',')}]`;
}
