/**
 * A long-lived part of the app: the database, the pub/sub, the HTTP server, the sync workers.
 * Built by a small `createX(config, deps)` factory; `start` makes it work, `stop` undoes what
 * `start` did, even when `start` failed half-way.
 */
export type Component = {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Whether the component can serve now (components that have a readiness of their own). */
  ready?(): Promise<boolean>;
};

/** A component with nothing to start, whose `stop` runs `fn` (a client to close, writes to await). */
export function stopping(fn: () => unknown): Component {
  return { start: async () => {}, stop: async () => void (await fn()) };
}

export type Lifecycle = {
  /** Starts `component` after the ones before it; it is stopped even when its start fails. */
  start<C extends Component>(component: C): Promise<C>;
  /** Stops every component started (or being started), in reverse order; once. */
  stop(): Promise<void>;
};

export function createLifecycle(): Lifecycle {
  const started: Component[] = [];
  let stopped: Promise<void> | undefined;
  return {
    async start(component) {
      if (stopped) throw new StartupError('stopped while starting');
      started.push(component);
      await component.start();
      return component;
    },
    stop() {
      stopped ??= (async () => {
        for (const component of started.reverse()) await component.stop();
      })();
      return stopped;
    },
  };
}

/** A start-up problem with a one-line message for the operator (no stack trace). */
export class StartupError extends Error {
  override name = 'StartupError';
}
