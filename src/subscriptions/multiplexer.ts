import { createHash } from 'node:crypto';
import type { ExecutionResult } from 'graphql';

/** Where one graphql-ws subscription's `next` messages go: its socket and the client's operation id. */
export interface SubscriptionTarget {
  /** `send(bytes, { binary: false })` must write one text frame (graphql-ws messages are text). */
  socket: { send(data: Buffer, options: { binary: false }): void; readonly bufferedAmount: number; readonly readyState: number };
  id: string;
}

export interface MultiplexerOptions {
  /**
   * A socket holding more than this many bytes not yet handed to the kernel is congested: its
   * subscriptions keep only their latest message until it drains (older ones are dropped, never queued).
   */
  maxBufferedBytes: number;
  /** How often congested sockets are checked for having drained (ms). */
  drainCheckMs?: number;
}

export interface MultiplexerStats {
  /** Distinct (document, operation, variables) groups, each executed once per event. */
  groups: number;
  /** graphql-ws subscriptions attached to those groups. */
  subscribers: number;
  /** Events executed (once per group per event, however many subscribers). */
  executions: number;
  /** `next` messages written to sockets. */
  delivered: number;
  /** Messages replaced by a newer one while their socket was congested. */
  dropped: number;
}

type Source = AsyncIterable<ExecutionResult> | ExecutionResult;

interface Member {
  target: SubscriptionTarget;
  /** `{"id":"…","type":"next","payload":` for this subscription, encoded once. */
  prefix: Buffer;
  finish(error?: unknown): void;
}

interface Group {
  key: string;
  /** The subscription's root field (for metrics; the key already implies it). */
  field: string;
  members: Set<Member>;
  /** UTF-8 bytes of the latest serialised result, replayed to late joiners of state subscriptions. */
  last: Buffer | undefined;
  replayLatest: boolean;
  closed: boolean;
  starting: Promise<Source>;
  iterator?: AsyncIterator<ExecutionResult>;
}

const OPEN = 1;
const TEXT = { binary: false } as const;

/** The group key: a hash of the document text, the operation name and the variables (sorted keys). */
export function subscriptionKey(query: string, operationName: string | null | undefined, variables: Record<string, unknown> | null | undefined): string {
  const vars = variables ? JSON.stringify(variables, Object.keys(variables).sort()) : '{}';
  return createHash('sha1').update(query).update('\0').update(operationName ?? '').update('\0').update(vars).digest('base64url');
}

/** Groups and subscribers per root field, counted when asked (a scrape), nothing kept per event. */
export function countByField(groups: Iterable<{ field: string; members: { size: number } }>): Map<string, { groups: number; subscribers: number }> {
  const out = new Map<string, { groups: number; subscribers: number }>();
  for (const group of groups) {
    const entry = out.get(group.field) ?? { groups: 0, subscribers: 0 };
    entry.groups += 1;
    entry.subscribers += group.members.size;
    out.set(group.field, entry);
  }
  return out;
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<ExecutionResult> =>
  typeof Object(value)[Symbol.asyncIterator] === 'function';

/**
 * Multiplexed subscriptions (after Hasura's multiplexed live queries): every graphql-ws subscription with
 * the same (document, operation name, variables) — hence the same topic — joins one group whose source
 * stream is subscribed and executed once per event; the result is serialised once and the same payload
 * bytes are written to every member's socket (only the `id` prefix differs, as the protocol requires).
 * Time-dependent fields (meta.ageMs, meta.stale) are therefore computed once, at publish time.
 *
 * A late joiner of a state subscription (`replayLatest`) gets the group's latest payload at once.
 * Members' iterators never yield to graphql-ws: they only end (unsubscribe, socket close, source end)
 * or throw (source error), so graphql-ws still sends `complete` / `error` as usual.
 */
export function createSubscriptionMultiplexer(options: MultiplexerOptions) {
  const groups = new Map<string, Group>();
  const congested = new Map<SubscriptionTarget['socket'], Map<Member, Buffer>>();
  const stats: MultiplexerStats = { groups: 0, subscribers: 0, executions: 0, delivered: 0, dropped: 0 };
  let drainTimer: NodeJS.Timeout | undefined;

  /**
   * The `next` message for one member: its prefix, the shared payload bytes and `}` copied into one
   * Buffer (a few hundred bytes; cheaper than letting ws UTF-8-encode a string per socket, and ws then
   * writes it with one writev of frame header + data, as for any Buffer).
   */
  function message(member: Member, payload: Buffer): Buffer {
    const prefix = member.prefix;
    const out = Buffer.allocUnsafe(prefix.length + payload.length + 1);
    prefix.copy(out, 0);
    payload.copy(out, prefix.length);
    out[out.length - 1] = 0x7d; // }
    return out;
  }

  function write(member: Member, payload: Buffer): void {
    const socket = member.target.socket;
    if (socket.readyState !== OPEN) return;
    const pending = congested.get(socket);
    if (pending || socket.bufferedAmount > options.maxBufferedBytes) {
      const queue = pending ?? new Map<Member, Buffer>();
      if (queue.has(member)) stats.dropped += 1;
      queue.set(member, message(member, payload)); // latest only
      if (!pending) congested.set(socket, queue);
      scheduleDrainCheck();
      return;
    }
    socket.send(message(member, payload), TEXT);
    stats.delivered += 1;
  }

  function scheduleDrainCheck(): void {
    if (drainTimer) return;
    drainTimer = setTimeout(() => {
      drainTimer = undefined;
      for (const [socket, queue] of congested) {
        if (socket.readyState !== OPEN) {
          congested.delete(socket);
          continue;
        }
        if (socket.bufferedAmount > options.maxBufferedBytes) continue;
        congested.delete(socket);
        for (const message of queue.values()) {
          socket.send(message, TEXT);
          stats.delivered += 1;
        }
      }
      if (congested.size) scheduleDrainCheck();
    }, options.drainCheckMs ?? 25);
    drainTimer.unref();
  }

  function close(group: Group, error?: unknown): void {
    if (group.closed) return;
    group.closed = true;
    if (groups.get(group.key) === group) groups.delete(group.key);
    stats.groups -= 1;
    for (const member of [...group.members]) member.finish(error);
    void group.iterator?.return?.();
  }

  async function pump(group: Group, iterator: AsyncIterator<ExecutionResult>): Promise<void> {
    try {
      while (!group.closed) {
        const next = await iterator.next();
        if (next.done || group.closed) break;
        stats.executions += 1;
        // GraphQLError has toJSON, so errors serialise as graphql-ws would send them.
        const payload = Buffer.from(JSON.stringify(next.value));
        group.last = payload;
        for (const member of group.members) write(member, payload);
      }
      close(group);
    } catch (error) {
      close(group, error);
    }
  }

  /**
   * Attaches `target` to the group for `key`, starting the group's source with `start()` when there is
   * none. Returns what graphql-ws should iterate, or `start()`'s plain result (e.g. errors) as is.
   */
  async function join(key: string, target: SubscriptionTarget, replayLatest: boolean, start: () => Promise<Source> | Source, field = 'unknown'): Promise<Source> {
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
      return attach(group, target);
    }
  }

  function attach(group: Group, target: SubscriptionTarget): AsyncGenerator<ExecutionResult> {
    let settle!: (result: IteratorResult<ExecutionResult>) => void;
    let fail!: (error: unknown) => void;
    const finished = new Promise<IteratorResult<ExecutionResult>>((resolve, reject) => {
      settle = resolve;
      fail = reject;
    });
    finished.catch(() => {}); // graphql-ws may never ask for next() (unsubscribed before it started)
    let active = true;
    const member: Member = {
      target,
      prefix: Buffer.from(`{"id":${JSON.stringify(target.id)},"type":"next","payload":`),
      finish(error) {
        if (!active) return;
        active = false;
        group.members.delete(member);
        congested.get(target.socket)?.delete(member);
        stats.subscribers -= 1;
        if (error === undefined) settle({ done: true, value: undefined });
        else fail(error);
        if (group.members.size === 0) close(group);
      },
    };
    group.members.add(member);
    stats.subscribers += 1;
    if (group.replayLatest && group.last !== undefined) write(member, group.last);
    const iterator: AsyncGenerator<ExecutionResult> = {
      [Symbol.asyncIterator]: () => iterator,
      next: () => finished,
      return: async () => {
        member.finish();
        return { done: true, value: undefined };
      },
      throw: async (error: unknown) => {
        member.finish();
        throw error;
      },
    };
    return iterator;
  }

  return {
    join,
    stats: (): MultiplexerStats => ({ ...stats }),
    byField: () => countByField(groups.values()),
    dispose(): void {
      if (drainTimer) clearTimeout(drainTimer);
      for (const group of [...groups.values()]) close(group);
      congested.clear();
    },
  };
}

export type SubscriptionMultiplexer = ReturnType<typeof createSubscriptionMultiplexer>;
