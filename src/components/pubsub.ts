import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { createMemoryPubSub, createRedisPubSub, type PubSub } from '../pubsub.js';
import { StartupError, type Component } from './lifecycle.js';

/**
 * The pub/sub for live events: Redis with REDIS_URL (start fails with a one-line message when
 * Redis cannot be reached), else in-process.
 */
export function createPubSubComponent(config: Pick<Config, 'redisUrl'>, deps: { log: Logger }): Component & { readonly pubsub: PubSub } {
  let pubsub: PubSub | undefined;
  return {
    get pubsub() {
      if (!pubsub) throw new Error('pub/sub not started');
      return pubsub;
    },
    async start() {
      pubsub = config.redisUrl ? createRedisPubSub(config.redisUrl, deps.log) : createMemoryPubSub();
      try {
        await pubsub.ready();
      } catch (error) {
        throw new StartupError(`cannot reach Redis at REDIS_URL: ${(error as Error).message}`);
      }
    },
    async stop() {
      await pubsub?.close();
    },
  };
}
