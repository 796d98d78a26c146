import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { createRedisPubSub } from '../../src/pubsub.js';
import { statusChangedMessage } from '../helpers/events.js';

const url = process.env.TEST_REDIS_URL;

const statusChanged = (sequence: number) => statusChangedMessage({ sequence });

describe.runIf(url)('pub/sub through Redis', () => {
  it('delivers an event published by one replica to a subscriber on another', async () => {
    const a = createRedisPubSub(url!, createLogger('silent'));
    const b = createRedisPubSub(url!, createLogger('silent'));
    await Promise.all([a.ready(), b.ready()]);
    const abort = new AbortController();
    try {
      const received = (async () => {
        for await (const message of b.subscribe('resourceEvent', abort.signal)) return message;
        return null;
      })();
      const message = statusChanged(41);
      // The subscriber's iterator attaches synchronously; one publish is enough.
      await a.publish('resourceEvent', message);
      expect(await received).toEqual(message);
    } finally {
      abort.abort();
      await a.close();
      await b.close();
    }
  });

  it('messages handed over at once, without waiting for replies, arrive in the order they were handed over', async () => {
    const a = createRedisPubSub(url!, createLogger('silent'));
    const b = createRedisPubSub(url!, createLogger('silent'));
    await Promise.all([a.ready(), b.ready()]);
    const abort = new AbortController();
    const COUNT = 200;
    try {
      const received = (async () => {
        const sequences: number[] = [];
        for await (const message of b.subscribe('resourceEvent', abort.signal)) {
          sequences.push(message.sequence);
          if (sequences.length === COUNT) break;
        }
        return sequences;
      })();
      // As a commit hands its events over (src/events/commit.ts).
      const sequences = Array.from({ length: COUNT }, (_, i) => 1_000 + i);
      await Promise.all(sequences.map((sequence) => a.publish('resourceEvent', statusChanged(sequence))));
      expect(await received).toEqual(sequences);
    } finally {
      abort.abort();
      await a.close();
      await b.close();
    }
  });

  it('refuses to start with a clear error when Redis is unreachable', async () => {
    const p = createRedisPubSub('redis://127.0.0.1:1', createLogger('silent'));
    await expect(p.ready()).rejects.toThrow(/ECONNREFUSED|connect/i);
    await p.close();
  });
});
