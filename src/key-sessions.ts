import type { Viewer } from './context.js';
import type { Logger } from './log.js';
import type { PubSub } from './pubsub.js';

/** Close code for a connection whose key was revoked or expired (the same as for a refused key). */
const KEY_ENDED_CLOSE_CODE = 4403;

/** Ends a live connection: a WebSocket closes with the code and reason, a stream simply ends. */
export type EndSession = (code: number, reason: string) => void;

/**
 * The live connections (WebSockets, server-sent event streams) of every API key, so that a
 * revoked or expired key stops receiving data within seconds: revocation arrives as
 * `apiKeyRevoked` on the pub/sub (every replica hears it), expiry by a timer per connection.
 */
export type KeySessions = {
  /** Tracks a connection of this viewer until the returned function is called. Keyless viewers are not tracked. */
  add(viewer: Viewer, end: EndSession): () => void;
  /** Stops listening for revocations and clears every timer (connections themselves are closed by their owners). */
  close(): void;
};

// setTimeout holds at most 2^31-1 ms (about 24.8 days); later expiries re-arm.
const MAX_TIMER_MS = 2 ** 31 - 1;

export function createKeySessions(pubsub: PubSub, log: Logger): KeySessions {
  const byKey = new Map<string, Set<EndSession>>();
  const timers = new Set<NodeJS.Timeout>();
  const abort = new AbortController();

  const endAll = (keyId: string, reason: string) => {
    const sessions = byKey.get(keyId);
    if (!sessions) return;
    byKey.delete(keyId);
    log.info('ending the connections of an API key', { keyId, reason, connections: sessions.size });
    for (const end of sessions) end(KEY_ENDED_CLOSE_CODE, reason);
  };

  void (async () => {
    try {
      for await (const { keyId } of pubsub.subscribe('apiKeyRevoked', abort.signal)) endAll(keyId, 'API key revoked');
    } catch (error) {
      if (!abort.signal.aborted) log.error('stopped listening for API key revocations', { error });
    }
  })();

  return {
    add(viewer, end) {
      if (!viewer.keyId && !viewer.expiresAt) return () => {};
      let timer: NodeJS.Timeout | undefined;
      const stop = () => {
        if (timer) {
          clearTimeout(timer);
          timers.delete(timer);
        }
        if (viewer.keyId) byKey.get(viewer.keyId)?.delete(end);
      };
      if (viewer.keyId) {
        let sessions = byKey.get(viewer.keyId);
        if (!sessions) byKey.set(viewer.keyId, (sessions = new Set()));
        sessions.add(end);
      }
      if (viewer.expiresAt) {
        const expiresAt = viewer.expiresAt.getTime();
        const arm = () => {
          const left = expiresAt - Date.now();
          if (left <= 0) {
            stop();
            end(KEY_ENDED_CLOSE_CODE, 'API key expired');
            return;
          }
          if (timer) timers.delete(timer);
          timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
          timer.unref();
          timers.add(timer);
        };
        arm();
      }
      return stop;
    },
    close() {
      abort.abort();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      byKey.clear();
    },
  };
}
