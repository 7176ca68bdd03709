import { randomUUID } from 'node:crypto';
import { Repeater, SlidingBuffer } from '@repeaterjs/repeater';
import { createPubSub } from 'graphql-yoga';
import { Redis } from 'ioredis';
import type { AnalysisRecord, WithEventMeta } from './domain/analysis.js';
import type { Trap } from './analyzers/traps.types.js';
import type { VolatilityRegimeChange } from './analyzers/volatility.types.js';
import type { Liquidation, Trade } from './domain/market.js';
import type { AlertMessage } from './alerts/types.js';
import type { Logger } from './logger.js';

/** A trade as published on `trade:created`: the domain trade plus its notional (price × qty). */
export type PublishedTrade = WithEventMeta<Trade & { notional: number }>;

/**
 * Typed topic map. Topics are `noun:verb`, keyed by `KIND:SYMBOL`, payloads JSON-safe (they cross Redis).
 */
export type Topics = {
  'analysis:updated': [key: string, record: AnalysisRecord];
  /** Every liquidation the store receives, keyed by symbol. */
  'liquidation:created': [symbol: string, liquidation: WithEventMeta<Liquidation>];
  /** A LIQUIDATION_CASCADES result whose severity differs from the previous one, keyed by symbol. */
  'cascade:detected': [symbol: string, record: AnalysisRecord];
  /** Each new TRAPS detection (default 15 m analysis), once, keyed by symbol. */
  'trap:detected': [symbol: string, trap: WithEventMeta<Trap>];
  /** A change of the default (1 h) VOLATILITY regime, keyed by symbol; the first result only sets the mark. */
  'volatility:regime-changed': [symbol: string, change: WithEventMeta<VolatilityRegimeChange>];
  /** Trades with notional ≥ WHALE_TRADE_FLOOR (10 000 USD; not every trade), keyed by symbol. */
  'trade:created': [symbol: string, trade: PublishedTrade];
  /** Each alert event once, where its outbox row was inserted (one instance per cluster); key `all`. */
  'alert:fired': [key: string, message: AlertMessage];
  /** Progress and state changes of a backtest or optimisation job, keyed by job id (src/jobs/backtest-jobs.ts). */
  'backtest:progress': [id: string, event: import('./jobs/backtest-input.js').BacktestProgressEvent];
};

export const analysisKey = (kind: string, symbol: string) => `${kind}:${symbol}`;

export interface AppPubSub {
  pubsub: ReturnType<typeof createPubSub<Topics>>;
  kind: 'memory' | 'redis';
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Redis publish failures (always zero in memory). */
  stats(): RedisBusStats;
  /** Events published by this instance and received from other instances through Redis, per topic. */
  counts(): PubSubCounts;
}

/** Monotonic event counts per topic (`analysis:updated`, …) since start. */
export interface PubSubCounts {
  published: ReadonlyMap<string, number>;
  /** Events from other instances (Redis only; always empty in memory). */
  received: ReadonlyMap<string, number>;
}

/** The topic of an event type: topics are `noun:verb`, an event type is the topic and then its key. */
const topicOf = (type: string) => type.split(':', 2).join(':');
const bump = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

/** The pub/sub with its publishes counted per topic (one Map update per publish). */
function countingPublish(pubsub: ReturnType<typeof createPubSub<Topics>>, published: Map<string, number>): ReturnType<typeof createPubSub<Topics>> {
  const publish = pubsub.publish;
  return {
    ...pubsub,
    publish: ((topic: string, ...rest: unknown[]) => {
      bump(published, topic);
      return (publish as (topic: string, ...rest: unknown[]) => void)(topic, ...rest);
    }) as typeof pubsub.publish,
  };
}

/** Events a slow subscriber may lag behind before the oldest are skipped (never an unbounded queue). */
export const SUBSCRIBER_BUFFER = 64;

/**
 * Re-buffers a subscription through a per-subscriber sliding window: a slow client skips the oldest
 * updates instead of growing a queue. (yoga's `createPubSub({ repeaterBuffer })` would share one buffer
 * instance across every subscriber, so it cannot be used for this.)
 *
 * With `first`, the stream starts with its value (the latest result, fetched only after `source` is
 * listening, so no update falls in between), and source values `isOlder` than it are skipped.
 */
export function slidingWindow<T>(
  source: AsyncIterable<T>,
  capacity = SUBSCRIBER_BUFFER,
  first?: { latest(): Promise<T | undefined>; isOlder(value: T, latest: T): boolean },
): AsyncIterableIterator<T> {
  return new Repeater<T>(async (push, stop) => {
    const iterator = source[Symbol.asyncIterator]();
    let done = false;
    void stop.then(() => {
      done = true;
      void iterator.return?.();
    });
    try {
      // Start listening (Repeaters subscribe lazily, on the first next()) before reading the latest value.
      let pending = iterator.next();
      let latest: T | undefined;
      if (first) {
        latest = await first.latest().catch(() => undefined);
        if (latest !== undefined && !done) await push(latest);
      }
      while (!done) {
        const next = await pending;
        if (next.done) break;
        if (latest === undefined || !first!.isOlder(next.value, latest)) await push(next.value);
        if (done) break;
        pending = iterator.next();
      }
    } finally {
      stop();
    }
  }, new SlidingBuffer(capacity));
}

type Listener = (event: CustomEvent) => void;
type ListenerArg = ((event: CustomEvent) => void) | { handleEvent(event: CustomEvent): void } | null;

/** Publish failures while Redis is unreachable, as `health` and the once-per-interval log line report them. */
export interface RedisBusStats {
  publishFailures: number;
  lastFailureAt: number | null;
  lastError: string | null;
}

/**
 * The Redis event target, written here rather than @graphql-yoga/redis-event-target because that one
 * (a) delivers even this instance's own events only through Redis, so with Redis away no subscriber
 * anywhere gets anything, and (b) leaves every failed PUBLISH as an unhandled rejection (one per event).
 *
 * Here an event reaches this instance's listeners directly, always; it is also published (tagged with
 * this instance's id, so the echo from Redis is ignored) for other instances. A failed publish is counted
 * and logged once per `logEveryMs`, never thrown. Channels carry `prefix` (Redis pub/sub channels are
 * global to the server, so deployments sharing one Redis need distinct prefixes).
 */
function createRedisBus(options: {
  publishClient: Redis;
  subscribeClient: Redis;
  prefix: string;
  logger?: Logger;
  logEveryMs?: number;
  /** Counts events received from other instances, per topic. */
  received?: Map<string, number>;
}): { target: EventTarget; stats(): RedisBusStats } {
  const { publishClient, subscribeClient, prefix, logger } = options;
  const logEveryMs = options.logEveryMs ?? 10_000;
  const instance = randomUUID();
  const listeners = new Map<string, Set<Listener>>();
  const stats: RedisBusStats = { publishFailures: 0, lastFailureAt: null, lastError: null };
  let loggedAt = 0;
  let sinceLog = 0;

  function noteFailure(error: unknown): void {
    stats.publishFailures += 1;
    stats.lastFailureAt = Date.now();
    stats.lastError = error instanceof Error ? error.message : String(error);
    sinceLog += 1;
    if (stats.lastFailureAt - loggedAt >= logEveryMs) {
      logger?.warn({ failures: sinceLog, total: stats.publishFailures, err: stats.lastError }, 'redis publish failing: local subscribers still served, other instances miss these events');
      loggedAt = stats.lastFailureAt;
      sinceLog = 0;
    }
  }

  function deliver(type: string, detail: unknown): void {
    for (const listener of listeners.get(type) ?? []) listener(new CustomEvent(type, { detail }));
  }

  subscribeClient.on('message', (channel: string, message: string) => {
    if (!channel.startsWith(prefix)) return;
    let parsed: { o?: string; d?: unknown };
    try {
      parsed = JSON.parse(message) as { o?: string; d?: unknown };
    } catch {
      return;
    }
    if (parsed.o === instance) return; // our own event, already delivered locally
    if (options.received) bump(options.received, topicOf(channel.slice(prefix.length)));
    deliver(channel.slice(prefix.length), parsed.d ?? null);
  });

  const callbackOf = (arg: ListenerArg): Listener | null =>
    arg == null ? null : typeof arg === 'function' ? arg : (event: CustomEvent) => arg.handleEvent(event);
  const wrapped = new WeakMap<object, Listener>();

  const target = {
    addEventListener(type: string, arg: ListenerArg) {
      const callback = arg && typeof arg === 'object' ? (wrapped.get(arg) ?? wrapped.set(arg, callbackOf(arg)!).get(arg)!) : callbackOf(arg);
      if (!callback) return;
      let set = listeners.get(type);
      if (!set) {
        set = new Set();
        listeners.set(type, set);
        subscribeClient.subscribe(prefix + type).catch((err: unknown) => logger?.warn({ err, channel: prefix + type }, 'redis subscribe failed; ioredis resubscribes on reconnect'));
      }
      set.add(callback);
    },
    removeEventListener(type: string, arg: ListenerArg) {
      const callback = arg && typeof arg === 'object' ? wrapped.get(arg) : callbackOf(arg);
      const set = listeners.get(type);
      if (!callback || !set) return;
      set.delete(callback);
      if (set.size > 0) return;
      listeners.delete(type);
      subscribeClient.unsubscribe(prefix + type).catch(() => undefined);
    },
    dispatchEvent(event: CustomEvent) {
      deliver(event.type, event.detail ?? null);
      publishClient.publish(prefix + event.type, JSON.stringify({ o: instance, d: event.detail ?? null })).catch(noteFailure);
      return true;
    },
  };
  return { target: target as unknown as EventTarget, stats: () => ({ ...stats }) };
}

export async function createAppPubSub(redisUrl: string | undefined, prefix = 'perpgraph:', logger?: Logger): Promise<AppPubSub> {
  const published = new Map<string, number>();
  const received = new Map<string, number>();
  const counts = (): PubSubCounts => ({ published, received });
  if (!redisUrl) {
    return {
      pubsub: countingPublish(createPubSub<Topics>(), published),
      kind: 'memory',
      ping: async () => {},
      close: async () => {},
      stats: () => ({ publishFailures: 0, lastFailureAt: null, lastError: null }),
      counts,
    };
  }
  // No offline queue on the publisher: while Redis is away a publish fails at once (counted) instead of
  // piling up in memory and failing later with MaxRetriesPerRequestError.
  const publishClient = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: false });
  const subscribeClient = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  for (const client of [publishClient, subscribeClient]) client.on('error', () => undefined); // reconnects on its own; failures are counted
  await Promise.all([publishClient.connect(), subscribeClient.connect()]);
  const bus = createRedisBus({ publishClient, subscribeClient, prefix, logger, received });
  return {
    pubsub: countingPublish(createPubSub<Topics>({ eventTarget: bus.target as never }), published),
    counts,
    kind: 'redis',
    async ping() {
      await publishClient.ping();
    },
    stats: bus.stats,
    async close() {
      await Promise.allSettled([publishClient.quit(), subscribeClient.quit()]);
    },
  };
}
