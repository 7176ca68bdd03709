import type { ExecutionResult } from 'graphql';
import { countByField, type MultiplexerStats } from './multiplexer.js';

/**
 * A shared event result: yoga's SSE writer serialises a result with `result.stringify` when it has one,
 * so every subscriber of a group is handed the same object whose `stringify` returns the one cached
 * string — one execution and one serialisation per event, the same bytes on every SSE stream.
 */
type SharedResult = ExecutionResult & { stringify(value: unknown): string };

type Source = AsyncIterable<ExecutionResult> | ExecutionResult;

export interface StreamMultiplexerOptions {
  /** Events kept for a subscriber that has not read them yet; past it the oldest are dropped (a stalled stream never grows a buffer). */
  maxPending: number;
}

interface Member {
  pending: SharedResult[];
  wake: (() => void) | undefined;
  done: boolean;
  error: unknown;
}

interface Group {
  key: string;
  field: string;
  members: Set<Member>;
  last: SharedResult | undefined;
  replayLatest: boolean;
  closed: boolean;
  starting: Promise<Source>;
  iterator?: AsyncIterator<ExecutionResult>;
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<ExecutionResult> =>
  typeof Object(value)[Symbol.asyncIterator] === 'function';

function share(result: ExecutionResult): SharedResult {
  let bytes: string | undefined;
  // yoga passes the result with its internal error extensions removed; serialised once, on first use.
  return { ...result, stringify: (value: unknown) => (bytes ??= JSON.stringify(value)) };
}

/**
 * Multiplexed subscriptions for transports that iterate results themselves (GraphQL over SSE through
 * yoga): every subscription with the same (document, operation, variables) key joins one group whose
 * source is subscribed and executed once per event; each member iterates the group's shared results.
 * Like the graphql-ws multiplexer, a late joiner of a state subscription gets the group's latest result
 * at once, and the group's source ends when its last member leaves.
 */
export function createStreamMultiplexer(options: StreamMultiplexerOptions) {
  const groups = new Map<string, Group>();
  const stats: MultiplexerStats = { groups: 0, subscribers: 0, executions: 0, delivered: 0, dropped: 0 };

  function push(member: Member, result: SharedResult): void {
    if (member.pending.length >= options.maxPending) {
      member.pending.shift();
      stats.dropped += 1;
    }
    member.pending.push(result);
    member.wake?.();
  }

  function end(member: Member, error?: unknown): void {
    member.done = true;
    member.error = error;
    member.wake?.();
  }

  function close(group: Group, error?: unknown): void {
    if (group.closed) return;
    group.closed = true;
    if (groups.get(group.key) === group) groups.delete(group.key);
    stats.groups -= 1;
    for (const member of group.members) end(member, error);
    void group.iterator?.return?.();
  }

  async function pump(group: Group, iterator: AsyncIterator<ExecutionResult>): Promise<void> {
    try {
      while (!group.closed) {
        const next = await iterator.next();
        if (next.done || group.closed) break;
        stats.executions += 1;
        const result = share(next.value);
        group.last = result;
        for (const member of group.members) push(member, result);
      }
      close(group);
    } catch (error) {
      close(group, error);
    }
  }

  function attach(group: Group): AsyncGenerator<ExecutionResult> {
    const member: Member = { pending: [], wake: undefined, done: false, error: undefined };
    group.members.add(member);
    stats.subscribers += 1;
    if (group.replayLatest && group.last) member.pending.push(group.last);
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      member.done = true;
      group.members.delete(member);
      stats.subscribers -= 1;
      if (group.members.size === 0) close(group);
    };
    const iterator: AsyncGenerator<ExecutionResult> = {
      [Symbol.asyncIterator]: () => iterator,
      async next() {
        for (;;) {
          const value = member.pending.shift();
          if (value) {
            stats.delivered += 1;
            return { done: false, value };
          }
          if (member.done) {
            leave();
            if (member.error !== undefined) throw member.error;
            return { done: true, value: undefined };
          }
          await new Promise<void>((resolve) => (member.wake = resolve));
          member.wake = undefined;
        }
      },
      async return() {
        leave();
        member.wake?.();
        return { done: true, value: undefined };
      },
      async throw(error: unknown) {
        leave();
        member.wake?.();
        throw error;
      },
    };
    return iterator;
  }

  /**
   * Joins the group for `key`, starting its source with `start()` when there is none. Returns the
   * member's iterator, or `start()`'s plain result (e.g. errors) as is.
   */
  async function join(key: string, replayLatest: boolean, start: () => Promise<Source> | Source, field = 'unknown'): Promise<Source> {
    for (;;) {
      let group = groups.get(key);
      if (!group) {
        const created: Group = { key, field, members: new Set(), last: undefined, replayLatest, closed: false, starting: Promise.resolve().then(start) };
        groups.set(key, created);
        stats.groups += 1;
        group = created;
        void created.starting.then(
          (source) => {
            if (!isAsyncIterable(source)) return close(created);
            const iterator = source[Symbol.asyncIterator]();
            created.iterator = iterator;
            if (created.closed) void iterator.return?.();
            else void pump(created, iterator);
          },
          (error: unknown) => close(created, error),
        );
      }
      const source = await group.starting;
      if (!isAsyncIterable(source)) return source;
      if (group.closed) continue; // the last member left meanwhile: start a new group
      return attach(group);
    }
  }

  return {
    join,
    stats: (): MultiplexerStats => ({ ...stats }),
    byField: () => countByField(groups.values()),
    dispose(): void {
      for (const group of [...groups.values()]) close(group);
    },
  };
}

export type StreamMultiplexer = ReturnType<typeof createStreamMultiplexer>;
