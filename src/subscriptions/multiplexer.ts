import { createHash } from 'node:crypto';
import { Kind, print, visit, type DocumentNode, type ExecutionResult } from 'graphql';
import type { Viewer } from '../context.js';

/**
 * What a viewer may see of a subscription's events: subscribers whose scope keys are equal get
 * the same payloads for the same document and variables. Today: the key's role and tenant (null:
 * unscoped). Whatever narrows visibility later (accounts a key may see) belongs here too.
 */
export function subscriptionScopeKey(viewer: Viewer): string {
  return JSON.stringify([viewer.role, viewer.tenantId]);
}

/**
 * True when a subscription's events depend on the subscriber itself beyond document, variables and
 * scope: an `afterSequence` argument reads a backlog from that point for this subscriber alone
 * (catch-up after a reconnect), which a group already running cannot replay.
 */
export function perSubscriber(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    enter(node) {
      if ((node.kind === Kind.ARGUMENT || node.kind === Kind.OBJECT_FIELD) && node.name.value === 'afterSequence') {
        found = true;
        return false;
      }
      return undefined;
    },
  });
  return found;
}

/** The group key of a subscription: a hash of its normalised document, operation name, variables and scope. */
export function groupKey(document: DocumentNode, operationName: string | null | undefined, variables: unknown, scope: string): string {
  return createHash('sha256')
    .update(print(document))
    .update('\0')
    .update(operationName ?? '')
    .update('\0')
    .update(JSON.stringify(variables ?? {}))
    .update('\0')
    .update(scope)
    .digest('base64url');
}

/**
 * One subscriber of a group: its operation id on its socket and how to write frames to it. `write`
 * gets every frame the member is due in one pass, in order; writing them together (one syscall)
 * is the point of passing them at once.
 */
export type Member = { id: string; write(frames: readonly string[]): void };

type MemberState = Member & {
  prefix: string;
  /** Index in the group's stream of the first payload this member is due: those executed after it joined. */
  from: number;
  end(error?: unknown): void;
};

type Group = {
  members: Set<MemberState>;
  /** The shared source once started; a single result when the operation did not start (an error). */
  started: Promise<AsyncIterable<ExecutionResult> | ExecutionResult>;
  source?: AsyncIterator<ExecutionResult>;
  /** Serialised payloads executed and not yet written; `written` payloads came before them. */
  pending: string[];
  written: number;
  /** A delivery pass is running (it takes whatever is pending when it ends, until nothing is). */
  delivering: boolean;
  /** The source ended (with its error, if any): members end once what is pending is written. */
  ended?: { error?: unknown };
  closed: boolean;
};

export type MultiplexerOptions = {
  /** The result as the wire carries it (errors masked and turned into JSON): called once per event and group. */
  payloadOf(result: ExecutionResult): unknown;
  /**
   * How long a delivery pass writes before it lets the event loop run (I/O, other groups, the
   * execution of the next events), in milliseconds. Default 5.
   */
  sliceMs?: number;
  /**
   * How many events of a group's source are in execution at once: a burst is executed together
   * (its reads overlap and batch) instead of one event after another. Results are written in
   * source order. Default 16.
   */
  readAhead?: number;
};

export type Multiplexer = {
  /**
   * Joins the group of `key`, starting it with `start` (the operation's subscribe) when there is
   * none. Events reach the member as graphql-ws `next` frames written by the group; the returned
   * stream yields nothing itself and ends when the group's source ends (so graphql-ws then sends
   * `complete`) or throws its error. Its `return()` leaves the group; the last member to leave
   * stops the source. A start that yields a single result (an error) is returned as is.
   */
  join(key: string, member: Member, start: () => Promise<AsyncIterable<ExecutionResult> | ExecutionResult>): Promise<AsyncGenerator<never> | ExecutionResult>;
  /** Open groups and their members (gauges, tests). */
  stats(): { groups: number; members: number };
};

const isIterable = (value: unknown): value is AsyncIterable<ExecutionResult> => typeof (value as AsyncIterable<unknown>)?.[Symbol.asyncIterator] === 'function';

/** Members written between two looks at the clock in a delivery pass. */
const CLOCK_EVERY = 32;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Subscribers that share a document, variables and scope share one execution and one serialised
 * payload per event: the group's source is subscribed once, each event is executed once and its
 * payload turned into JSON once. Up to `readAhead` events are executed at once, and executing and
 * writing are decoupled: the group keeps executing events while a delivery pass writes what was executed before to every member, behind its own
 * `{"id":…,"type":"next","payload":` prefix, in slices of `sliceMs` between which the event loop
 * runs. A pass writes each member every payload executed since the last pass in one go (one
 * syscall), so a burst of events costs O(members × passes) writes, not O(members × events), and
 * a lone event still leaves at once. Each member gets the payloads executed after it joined, in
 * order, and its `complete` (or error) only after the last of them.
 */
export function createMultiplexer(options: MultiplexerOptions): Multiplexer {
  const groups = new Map<string, Group>();
  const sliceMs = options.sliceMs ?? 5;
  const readAhead = options.readAhead ?? 16;

  const close = (key: string, group: Group, error?: unknown) => {
    if (group.closed) return;
    group.closed = true;
    group.pending = [];
    if (groups.get(key) === group) groups.delete(key);
    for (const member of group.members) member.end(error);
    group.members.clear();
  };

  const deliver = async (key: string, group: Group) => {
    group.delivering = true;
    try {
      while (group.pending.length > 0 && !group.closed) {
        const batch = group.pending;
        const first = group.written;
        group.pending = [];
        group.written += batch.length;
        const members = [...group.members];
        let sliceStart = performance.now();
        for (let i = 0; i < members.length; i++) {
          const member = members[i]!;
          if (group.closed) return;
          // Left during this pass (its stream returned): nothing more is written to it.
          if (!group.members.has(member)) continue;
          const skip = member.from - first;
          if (skip >= batch.length) continue;
          const frames: string[] = [];
          for (let j = Math.max(0, skip); j < batch.length; j++) frames.push(`${member.prefix}${batch[j]}}`);
          member.write(frames);
          if (i % CLOCK_EVERY === CLOCK_EVERY - 1 && performance.now() - sliceStart >= sliceMs) {
            await yieldToLoop();
            sliceStart = performance.now();
          }
        }
      }
    } finally {
      group.delivering = false;
    }
    if (group.ended) close(key, group, group.ended.error);
  };

  const enqueue = (key: string, group: Group, json: string) => {
    group.pending.push(json);
    if (!group.delivering) void deliver(key, group);
  };

  /** The source ended: members end after what is still pending has been written. */
  const end = (key: string, group: Group, error?: unknown) => {
    group.ended = { error };
    if (!group.delivering) close(key, group, error);
  };

  const pump = async (key: string, group: Group, source: AsyncIterable<ExecutionResult>) => {
    const iterator = source[Symbol.asyncIterator]();
    group.source = iterator;
    if (group.closed || group.members.size === 0) {
      close(key, group);
      await iterator.return?.();
      return;
    }
    // Up to `readAhead` events in execution at once (their reads batched and overlapped), taken in order.
    const ahead: Promise<IteratorResult<ExecutionResult>>[] = [];
    try {
      for (;;) {
        while (ahead.length < readAhead) {
          const next = iterator.next();
          next.catch(() => {});
          ahead.push(next);
        }
        const step = await ahead.shift()!;
        if (step.done || group.closed) break;
        enqueue(key, group, JSON.stringify(options.payloadOf(step.value)));
      }
      end(key, group);
    } catch (error) {
      end(key, group, error);
    }
  };

  const leave = (key: string, group: Group, member: MemberState) => {
    group.members.delete(member);
    if (group.members.size > 0 || group.closed) return;
    group.closed = true;
    group.pending = [];
    if (groups.get(key) === group) groups.delete(key);
    void group.source?.return?.();
  };

  return {
    async join(key, member, start) {
      let group = groups.get(key);
      if (!group || group.closed || group.ended) {
        const created: Group = {
          members: new Set(),
          started: Promise.resolve().then(start),
          pending: [],
          written: 0,
          delivering: false,
          closed: false,
        };
        group = created;
        groups.set(key, created);
        created.started.then(
          (started) => {
            if (isIterable(started)) void pump(key, created, started);
            else close(key, created);
          },
          (error) => close(key, created, error),
        );
      }
      const joined = group;

      // A member from the start: the group's pump, which begins once the start resolves, finds it there.
      let settle: ((error?: unknown) => void) | undefined;
      let outcome: { error?: unknown } | undefined;
      const state: MemberState = {
        ...member,
        prefix: `{"id":${JSON.stringify(member.id)},"type":"next","payload":`,
        from: joined.written + joined.pending.length,
        end(error) {
          outcome ??= { error };
          settle?.(error);
        },
      };
      joined.members.add(state);
      const started = await joined.started.catch((error: unknown) => {
        leave(key, joined, state);
        throw error;
      });
      if (!isIterable(started)) {
        leave(key, joined, state);
        return started;
      }

      const stream: AsyncGenerator<never> = {
        next: () =>
          new Promise<IteratorResult<never>>((resolve, reject) => {
            settle = (error) => (error === undefined ? resolve({ done: true, value: undefined }) : reject(error));
            if (outcome) settle(outcome.error);
          }),
        return: async () => {
          leave(key, joined, state);
          state.end();
          return { done: true, value: undefined };
        },
        throw: async (error: unknown) => {
          leave(key, joined, state);
          state.end();
          throw error;
        },
        [Symbol.asyncIterator]() {
          return stream;
        },
      };
      return stream;
    },
    stats() {
      let members = 0;
      for (const group of groups.values()) members += group.members.size;
      return { groups: groups.size, members };
    },
  };
}
