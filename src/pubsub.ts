import { EventEmitter, on } from 'node:events';
import { Redis } from 'ioredis';
import type { Logger } from './log.js';

/** Topics and their payloads (JSON-serialisable: they may cross replicas through Redis). */
export type Topics = {
  /** A stored ResourceEvent row, published after its transaction committed. */
  resourceEvent: ResourceEventMessage;
  /** A SyncRun row as it starts and finishes. */
  syncRun: SyncRunMessage;
  /** An API key was revoked: every replica ends the key's open sockets. */
  apiKeyRevoked: { keyId: string };
};

export type ResourceEventMessage = {
  sequence: number;
  accountId: string;
  resourceId: string;
  type: string;
  kind: string;
  tenantId: string | null;
  projectId: string | null;
  from: string | null;
  to: string | null;
  at: string;
  syncRunId: string | null;
  actor: string | null;
  reason: string | null;
};

export type SyncRunMessage = { id: string; accountId: string; worker: string; status: string };

/**
 * The one pub/sub interface. In-process by default; with REDIS_URL, messages go through
 * Redis so every replica's subscribers see every replica's events.
 */
export type PubSub = {
  /**
   * Best effort, and never rejects: what is published has already been committed, and a commit
   * must never be reported as failed because delivery failed. A message that cannot be sent (Redis
   * unreachable) is dropped and logged once per outage; subscribers catch up by event sequence.
   */
  publish<K extends keyof Topics>(topic: K, message: Topics[K]): Promise<void>;
  /** Messages published after this call, until the signal aborts. */
  subscribe<K extends keyof Topics>(topic: K, signal: AbortSignal): AsyncIterable<Topics[K]>;
  /** Resolves once the transport can deliver (Redis subscribed). */
  ready(): Promise<void>;
  /** 'ok' when the transport delivers now (Redis answers a PING within 1 s on both connections), else 'unreachable'. */
  health(): Promise<'ok' | 'unreachable'>;
  close(): Promise<void>;
  readonly transport: 'memory' | 'redis';
};

function memoryIterator<T>(emitter: EventEmitter, topic: string, signal: AbortSignal): AsyncIterable<T> {
  return {
    async *[Symbol.asyncIterator]() {
      try {
        for await (const [message] of on(emitter, topic, { signal })) yield message as T;
      } catch (error) {
        if ((error as Error).name !== 'AbortError') throw error;
      }
    },
  };
}

export function createMemoryPubSub(): PubSub {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    transport: 'memory',
    async publish(topic, message) {
      emitter.emit(topic, message);
    },
    subscribe: (topic, signal) => memoryIterator(emitter, topic, signal),
    ready: async () => {},
    health: async () => 'ok',
    close: async () => void emitter.removeAllListeners(),
  };
}

const CHANNEL_PREFIX = 'inventory-graph:';

const HEALTH_TIMEOUT_MS = 1_000;

/**
 * Redis transport: one publishing and one subscribed connection per process. Both reconnect by
 * themselves for as long as Redis is away (ioredis's default back-off, at most 2 s apart), and the
 * subscribed one subscribes again on reconnect (ioredis's autoResubscribe).
 */
export function createRedisPubSub(url: string, log: Logger): PubSub {
  const local = new EventEmitter();
  local.setMaxListeners(0);
  // Publishing never waits for a connection: a message sent while Redis is away fails at once
  // (and is dropped) instead of queueing in memory and holding up the commit that produced it.
  const pub = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  const sub = new Redis(url, { lazyConnect: true, enableOfflineQueue: true, maxRetriesPerRequest: 3, autoResubscribe: true });
  for (const [name, conn] of [
    ['publish', pub],
    ['subscribe', sub],
  ] as const) {
    let down = false;
    // One warning per outage, not one per reconnection attempt.
    conn.on('error', (error: Error) => {
      if (!down) log.warn(`redis ${name} connection lost; reconnecting`, { error: error.message });
      down = true;
    });
    conn.on('ready', () => {
      if (down) log.info(`redis ${name} connection restored`);
      down = false;
    });
  }
  let dropped = 0;
  sub.on('message', (channel: string, raw: string) => {
    if (!channel.startsWith(CHANNEL_PREFIX)) return;
    try {
      local.emit(channel.slice(CHANNEL_PREFIX.length), JSON.parse(raw));
    } catch {
      log.warn('ignored a malformed pub/sub message', { channel });
    }
  });
  let readyPromise: Promise<void> | undefined;
  const ready = () =>
    (readyPromise ??= (async () => {
      await Promise.all([pub.connect(), sub.connect()]);
      await sub.subscribe(`${CHANNEL_PREFIX}resourceEvent`, `${CHANNEL_PREFIX}syncRun`, `${CHANNEL_PREFIX}apiKeyRevoked`);
    })());
  const answers = async (conn: Redis) => {
    if (conn.status !== 'ready') return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), HEALTH_TIMEOUT_MS);
    });
    try {
      return await Promise.race([
        conn.ping().then(
          () => true,
          () => false,
        ),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    transport: 'redis',
    async publish(topic, message) {
      try {
        await pub.publish(CHANNEL_PREFIX + topic, JSON.stringify(message));
        if (dropped) log.info('redis publishing works again', { dropped });
        dropped = 0;
      } catch (error) {
        if (dropped++ === 0) {
          log.warn('redis publish failed: messages are dropped until Redis is back; subscribers catch up by sequence', {
            topic,
            error: (error as Error).message,
          });
        }
      }
    },
    subscribe: (topic, signal) => memoryIterator(local, topic, signal),
    ready,
    async health() {
      const [p, s] = await Promise.all([answers(pub), answers(sub)]);
      return p && s ? 'ok' : 'unreachable';
    },
    async close() {
      local.removeAllListeners();
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}
