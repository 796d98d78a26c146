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

/** One subscriber of a group: its operation id on its socket and how to write a frame to it. */
export type Member = { id: string; send(data: string): void };

type MemberState = Member & { prefix: string; end(error?: unknown): void };

type Group = {
  members: Set<MemberState>;
  /** The shared source once started; a single result when the operation did not start (an error). */
  started: Promise<AsyncIterable<ExecutionResult> | ExecutionResult>;
  source?: AsyncIterator<ExecutionResult>;
  closed: boolean;
};

export type MultiplexerOptions = {
  /** The result as the wire carries it (errors masked and turned into JSON): called once per event and group. */
  payloadOf(result: ExecutionResult): unknown;
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

/**
 * Subscribers that share a document, variables and scope share one execution and one serialised
 * payload per event: the group's source is subscribed once, each event is executed once, its
 * payload turned into JSON once and the same string written to every member's socket behind its
 * own `{"id":…,"type":"next","payload":` prefix. Per-event work is O(groups), plus one string
 * concatenation and one socket write per member.
 */
export function createMultiplexer(options: MultiplexerOptions): Multiplexer {
  const groups = new Map<string, Group>();

  const close = (key: string, group: Group, error?: unknown) => {
    if (group.closed) return;
    group.closed = true;
    if (groups.get(key) === group) groups.delete(key);
    for (const member of group.members) member.end(error);
    group.members.clear();
  };

  const pump = async (key: string, group: Group, source: AsyncIterable<ExecutionResult>) => {
    const iterator = source[Symbol.asyncIterator]();
    group.source = iterator;
    if (group.closed || group.members.size === 0) {
      close(key, group);
      await iterator.return?.();
      return;
    }
    try {
      for (;;) {
        const step = await iterator.next();
        if (step.done || group.closed) break;
        const json = JSON.stringify(options.payloadOf(step.value));
        for (const member of group.members) member.send(`${member.prefix}${json}}`);
      }
      close(key, group);
    } catch (error) {
      close(key, group, error);
    }
  };

  const leave = (key: string, group: Group, member: MemberState) => {
    group.members.delete(member);
    if (group.members.size > 0 || group.closed) return;
    group.closed = true;
    if (groups.get(key) === group) groups.delete(key);
    void group.source?.return?.();
  };

  return {
    async join(key, member, start) {
      let group = groups.get(key);
      if (!group || group.closed) {
        const created: Group = { members: new Set(), started: Promise.resolve().then(start), closed: false };
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
