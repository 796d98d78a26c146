/** Options of `liveStream`. */
export type LiveStreamOptions<M, T> = {
  /** Attaches to the pub/sub topic; called at once, before any backlog is read. */
  subscribe(signal: AbortSignal): AsyncIterable<M>;
  /** Whether a live message is for this subscriber (account, filter, viewer scope). */
  accept(message: M): boolean;
  /** Turns an accepted live message into what the stream yields; null skips it. */
  load(message: M): Promise<T | null> | T | null;
  /** Stored items to yield first, page by page, oldest first (catch-up). Default: none. */
  backlog?: () => AsyncIterable<T[]>;
  /** Identity of a backlog item and of a live message: a live message already yielded from the backlog is dropped. */
  keyOf?: { item(value: T): string | number; message(message: M): string | number };
};

/**
 * A subscription's source: live messages of a pub/sub topic, optionally after a backlog
 * of stored items, without duplicates and without gaps (the topic is attached before the
 * backlog is read, so nothing committed in between is lost; what both deliver is yielded
 * once). `return()` (the client unsubscribed or disconnected) ends the stream at once and
 * detaches from the topic, even while waiting for the next message.
 */
export function liveStream<M, T>(options: LiveStreamOptions<M, T>): AsyncIterableIterator<T> {
  const controller = new AbortController();
  const live: M[] = [];
  let wake: (() => void) | null = null;
  let failure: { error: unknown } | null = null;
  let sourceEnded = false;
  let done = false;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  // Started synchronously: the first next() of the topic's iterator attaches its listener.
  void (async () => {
    try {
      for await (const message of options.subscribe(controller.signal)) {
        if (done) break;
        if (options.accept(message)) {
          live.push(message);
          notify();
        }
      }
    } catch (error) {
      failure = { error };
    } finally {
      sourceEnded = true;
      notify();
    }
  })();

  let backlog = options.backlog?.()[Symbol.asyncIterator]();
  const fromBacklog = new Set<string | number>();
  const pending: T[] = [];

  const finish = async (): Promise<IteratorResult<T>> => {
    if (!done) {
      done = true;
      controller.abort();
      notify();
      await backlog?.return?.();
      backlog = undefined;
    }
    return { done: true, value: undefined };
  };

  const step = async (): Promise<IteratorResult<T>> => {
    for (;;) {
      if (done) return { done: true, value: undefined };
      const first = pending.shift();
      if (first !== undefined) return { done: false, value: first };
      if (backlog) {
        const page = await backlog.next();
        if (page.done) {
          backlog = undefined;
          continue;
        }
        if (options.keyOf) for (const item of page.value) fromBacklog.add(options.keyOf.item(item));
        pending.push(...page.value);
        continue;
      }
      const message = live.shift();
      if (message !== undefined) {
        if (fromBacklog.size && options.keyOf && fromBacklog.has(options.keyOf.message(message))) continue;
        const value = await options.load(message);
        if (value !== null && !done) return { done: false, value };
        continue;
      }
      if (failure) {
        const { error } = failure;
        await finish();
        throw error;
      }
      if (sourceEnded) return finish();
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  };

  // Calls of next() are served one after another, in the order they were made, so a consumer may
  // ask for several values ahead (a shared subscription executes a burst of events at once) and
  // still gets each message once and in order.
  let turn: Promise<unknown> = Promise.resolve();
  const iterator: AsyncIterableIterator<T> = {
    next(): Promise<IteratorResult<T>> {
      const result = turn.then(step);
      turn = result.catch(() => undefined);
      return result;
    },
    return: finish,
    async throw(error?: unknown) {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
