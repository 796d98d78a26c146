import type { ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createMultiplexer, type Member } from '../../src/subscriptions/multiplexer.js';

/** A source fed by hand: `push` an event, `end` it; next() may be called ahead (each call gets the next event, in order). */
function channel(execute: (n: number) => Promise<ExecutionResult> | ExecutionResult = (n) => ({ data: { n } })) {
  const queued: number[] = [];
  const waiting: ((n: number | null) => void)[] = [];
  let ended = false;
  let inFlight = 0;
  let maxInFlight = 0;
  const take = () =>
    new Promise<number | null>((resolve) => {
      if (queued.length) resolve(queued.shift()!);
      else if (ended) resolve(null);
      else waiting.push(resolve);
    });
  const iterator: AsyncIterator<ExecutionResult> & AsyncIterable<ExecutionResult> = {
    async next() {
      const n = await take();
      if (n === null) return { done: true, value: undefined };
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        return { done: false, value: await execute(n) };
      } finally {
        inFlight--;
      }
    },
    async return() {
      ended = true;
      for (const w of waiting.splice(0)) w(null);
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return {
    iterator,
    push: (...ns: number[]) => {
      for (const n of ns) {
        const w = waiting.shift();
        if (w) w(n);
        else queued.push(n);
      }
    },
    end: () => void iterator.return!(),
    get maxInFlight() {
      return maxInFlight;
    },
  };
}

type Recorder = Member & { writes: number; received: number[]; ids: Set<string> };

function recorder(id: string): Recorder {
  const r: Recorder = {
    id,
    writes: 0,
    received: [],
    ids: new Set(),
    write(frames) {
      r.writes++;
      for (const frame of frames) {
        const message = JSON.parse(frame);
        r.ids.add(message.id);
        expect(message.type).toBe('next');
        r.received.push(message.payload.data.n);
      }
    },
  };
  return r;
}

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((r) => setImmediate(r));
};

/** Reads a member's stream to its end: resolves 'done', or the error it throws. */
const drain = async (stream: unknown) => {
  try {
    const result = await (stream as AsyncIterator<never>).next();
    return result.done ? 'done' : 'value';
  } catch (error) {
    return error;
  }
};

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('multiplexer', () => {
  it('a burst reaches every member in order and exactly once, each behind its own id, in fewer writes than events', async () => {
    const source = channel(async (n) => {
      // Executions finish out of order: the writes must not.
      await new Promise((r) => setTimeout(r, (n * 7) % 5));
      return { data: { n } };
    });
    const mx = createMultiplexer({ payloadOf: (r) => r, sliceMs: 0 });
    const members = Array.from({ length: 50 }, (_, i) => recorder(`op-${i}`));
    const streams = await Promise.all(members.map((m) => mx.join('k', m, async () => source.iterator)));
    expect(mx.stats()).toEqual({ groups: 1, members: 50 });
    source.push(...range(1, 200));
    await until(() => members.every((m) => m.received.length === 200));
    for (const [i, m] of members.entries()) {
      expect(m.received).toEqual(range(1, 200));
      expect([...m.ids]).toEqual([`op-${i}`]);
      expect(m.writes).toBeLessThan(200);
    }
    expect(source.maxInFlight).toBeGreaterThan(1);
    source.end();
    expect(await Promise.all(streams.map(drain))).toEqual(members.map(() => 'done'));
    expect(mx.stats()).toEqual({ groups: 0, members: 0 });
  });

  it('a member joining a running group gets only what is executed after it joined; one leaving gets nothing more', async () => {
    const source = channel();
    const mx = createMultiplexer({ payloadOf: (r) => r });
    const first = recorder('a');
    const leaving = recorder('b');
    await mx.join('k', first, async () => source.iterator);
    const leavingStream = (await mx.join('k', leaving, async () => source.iterator)) as AsyncGenerator<never>;
    source.push(1, 2, 3);
    await until(() => first.received.length === 3 && leaving.received.length === 3);

    const late = recorder('c');
    await mx.join('k', late, async () => {
      throw new Error('a running group is not started again');
    });
    await leavingStream.return(undefined);
    source.push(4, 5);
    await until(() => first.received.length === 5 && late.received.length === 2);
    expect(first.received).toEqual([1, 2, 3, 4, 5]);
    expect(late.received).toEqual([4, 5]);
    expect(leaving.received).toEqual([1, 2, 3]);
    expect(mx.stats()).toEqual({ groups: 1, members: 2 });
  });

  it('when the source ends or fails, members end only after every payload before it was written', async () => {
    for (const failure of [undefined, new Error('source failed')]) {
      let n = 0;
      const source: AsyncIterable<ExecutionResult> = {
        async *[Symbol.asyncIterator]() {
          while (n < 40) yield { data: { n: ++n } };
          if (failure) throw failure;
        },
      };
      const mx = createMultiplexer({ payloadOf: (r) => r, sliceMs: 0 });
      const members = Array.from({ length: 100 }, (_, i) => recorder(`op-${i}`));
      const ends: unknown[] = [];
      await Promise.all(
        members.map(async (m) => {
          const stream = await mx.join('k', m, async () => source);
          ends.push(await drain(stream));
          // What was written before the member's stream ended.
          expect(m.received).toEqual(range(1, 40));
        }),
      );
      expect(ends).toEqual(members.map(() => failure ?? 'done'));
    }
  });

  it('groups of different keys (scopes) get their own payloads', async () => {
    const sources = { operator: channel((n) => ({ data: { n } })), viewer: channel((n) => ({ data: { n: -n } })) };
    const mx = createMultiplexer({ payloadOf: (r) => r });
    const operators = [recorder('o1'), recorder('o2')];
    const viewers = [recorder('v1'), recorder('v2')];
    for (const m of operators) await mx.join('operator', m, async () => sources.operator.iterator);
    for (const m of viewers) await mx.join('viewer', m, async () => sources.viewer.iterator);
    expect(mx.stats()).toEqual({ groups: 2, members: 4 });
    sources.operator.push(1, 2);
    sources.viewer.push(1, 2);
    await until(() => [...operators, ...viewers].every((m) => m.received.length === 2));
    for (const m of operators) expect(m.received).toEqual([1, 2]);
    for (const m of viewers) expect(m.received).toEqual([-1, -2]);
  });
});
