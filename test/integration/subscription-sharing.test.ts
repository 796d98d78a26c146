import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth.js';
import type { Database } from '../../src/db/index.js';
import { statusChangedMessage } from '../helpers/events.js';
import { openEmbeddedTestDatabase } from '../helpers/db.js';
import { rawSocket, startTestServer, type RawSocket, type TestServer } from '../helpers/server.js';
import { soleAccount } from '../helpers/sole-account.js';

const ADMIN = 'admin-key-for-subscription-sharing';
const VIEWER = 'viewer-key-for-subscription-sharing';
const DOCUMENT = `subscription($kinds: [ResourceKind!]) { resourceStatusChanged(filter: { kinds: $kinds }) { sequence type from to } }`;

/** Counts subscription starts and the results they execute (one per event and execution). */
function executionCounter() {
  const counts = { subscriptions: 0, results: 0 };
  return {
    counts,
    plugin: {
      onSubscribe() {
        counts.subscriptions++;
        return {
          onSubscribeResult: () => ({
            onNext: () => {
              counts.results++;
            },
          }),
        };
      },
    },
  };
}

type Subscriber = { socket: RawSocket; frames: string[]; waitFor(n: number): Promise<string[]> };

describe('subscribers with equal document, variables and scope share one execution per event', () => {
  let db: Database;
  let server: TestServer;
  let sequence = 1_000_000;
  const counter = executionCounter();
  const subscribers: Subscriber[] = [];

  const subscribe = async (key: string, kinds: string[], id = 'op-1'): Promise<Subscriber> => {
    const socket = rawSocket(server.wsUrl);
    await socket.opened;
    socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${key}` } });
    await socket.next('connection_ack');
    const frames: string[] = [];
    const waiters: { n: number; resolve(frames: string[]): void }[] = [];
    socket.ws.on('message', (data) => {
      const text = String(data);
      if (!text.includes('"type":"next"')) return;
      frames.push(text);
      for (const w of waiters.filter((w) => frames.length >= w.n)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(frames.slice());
      }
    });
    socket.send({ id, type: 'subscribe', payload: { query: DOCUMENT, variables: { kinds } } });
    const subscriber: Subscriber = {
      socket,
      frames,
      waitFor: (n) => (frames.length >= n ? Promise.resolve(frames.slice()) : new Promise((resolve) => waiters.push({ n, resolve }))),
    };
    subscribers.push(subscriber);
    return subscriber;
  };

  const publish = async () => {
    const message = statusChangedMessage({ sequence: ++sequence, accountId: soleAccount(server.app).id, resourceId: 'r-1' });
    await server.app.services().pubsub.publish('resourceEvent', message);
    return message.sequence;
  };

  /** Publishes until every subscriber has received an event (each is attached from then on). */
  const untilAllAttached = async (all: Subscriber[]) => {
    for (;;) {
      const wanted = all.map((s) => s.frames.length + 1);
      const sent = await publish();
      const arrived = await Promise.race([
        Promise.all(all.map((s, i) => s.waitFor(wanted[i]!))).then(() => true),
        // No acknowledgement tells when a subscribe has attached: a probe that did not reach everyone is sent again.
        new Promise<false>((resolve) => setTimeout(() => resolve(false), 100)),
      ]);
      if (arrived && all.every((s) => s.frames.at(-1)!.includes(`"sequence":${sent}`))) return;
    }
  };

  beforeAll(async () => {
    db = await openEmbeddedTestDatabase();
    await db.prisma.apiKey.create({ data: { name: 'sharing viewer', keyHash: hashApiKey(VIEWER), role: 'VIEWER' } });
    server = await startTestServer(db, { ADMIN_API_KEY: ADMIN }, { plugins: [counter.plugin] });
  });
  afterAll(async () => {
    for (const s of subscribers) s.socket.ws.terminate();
    await server?.stop();
    await db?.close();
  });

  it('five operator subscribers, two viewer subscribers and one with other variables: three executions and three payloads per event', async () => {
    const operators = await Promise.all(Array.from({ length: 5 }, () => subscribe(ADMIN, ['DROPLET'])));
    const viewers = await Promise.all(Array.from({ length: 2 }, () => subscribe(VIEWER, ['DROPLET'])));
    const other = await subscribe(ADMIN, ['DROPLET', 'VOLUME']);
    const all = [...operators, ...viewers, other];
    await untilAllAttached(all);
    expect(counter.counts.subscriptions).toBe(3);

    const before = { ...counter.counts };
    const counts = all.map((s) => s.frames.length);
    const sent = await publish();
    const frames = await Promise.all(all.map((s, i) => s.waitFor(counts[i]! + 1).then((f) => f.at(-1)!)));
    expect(counter.counts.results - before.results).toBe(3);
    expect(counter.counts.subscriptions).toBe(before.subscriptions);
    for (const frame of frames) {
      expect(JSON.parse(frame)).toEqual({
        id: 'op-1',
        type: 'next',
        payload: { data: { resourceStatusChanged: { sequence: sent, type: 'STATUS_CHANGED', from: 'active', to: 'off' } } },
      });
    }

    // One member leaving does not end its group for the others; the last one leaving ends it.
    operators[0]!.socket.send({ id: 'op-1', type: 'complete' });
    const rest = all.slice(1);
    const restCounts = rest.map((s) => s.frames.length);
    const next = await publish();
    await Promise.all(rest.map((s, i) => s.waitFor(restCounts[i]! + 1)));
    expect(rest.every((s) => s.frames.at(-1)!.includes(`"sequence":${next}`))).toBe(true);
    expect(counter.counts.results - before.results).toBe(6);
  });

  it('a burst of events published together reaches every member of every scope, in order, once, behind its own operation id', async () => {
    const operators = await Promise.all(Array.from({ length: 4 }, (_, i) => subscribe(ADMIN, ['DROPLET'], `operator-${i}`)));
    const viewers = await Promise.all(Array.from({ length: 3 }, (_, i) => subscribe(VIEWER, ['DROPLET'], `viewer-${i}`)));
    const all = [...operators, ...viewers];
    await untilAllAttached(all);
    const before = { ...counter.counts };
    const counts = all.map((s) => s.frames.length);

    const BURST = 40;
    const sent = await Promise.all(Array.from({ length: BURST }, () => publish()));
    const frames = await Promise.all(all.map((s, i) => s.waitFor(counts[i]! + BURST).then((f) => f.slice(counts[i]!))));
    // One execution per event and group: operators and viewers of ['DROPLET'] (the test before's subscribers are members
    // too), and the test before's group with other variables.
    expect(counter.counts.results - before.results).toBe(3 * BURST);
    for (const [i, received] of frames.entries()) {
      const id = i < operators.length ? `operator-${i}` : `viewer-${i - operators.length}`;
      expect(received.map((f) => JSON.parse(f))).toEqual(
        sent.map((sequence) => ({
          id,
          type: 'next',
          payload: { data: { resourceStatusChanged: { sequence, type: 'STATUS_CHANGED', from: 'active', to: 'off' } } },
        })),
      );
    }
    // Nothing more than the burst arrived.
    await publish();
    await Promise.all(all.map((s, i) => s.waitFor(counts[i]! + BURST + 1)));
    expect(all.every((s, i) => s.frames.length === counts[i]! + BURST + 1)).toBe(true);
  });
});
