import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Repeater, SlidingBuffer } from '@repeaterjs/repeater';
import { createPubSub } from 'graphql-yoga';
import { Redis } from 'ioredis';
import type { AnalysisRecord } from './domain/analysis.js';
import type { Trap } from './analyzers/traps.types.js';
import type { VolatilityRegimeChange } from './analyzers/volatility.types.js';
import type { Liquidation, Trade } from './domain/market.js';

/** A trade as published on `trade:created`: the domain trade plus its notional (price × qty). */
export type PublishedTrade = Trade & { notional: number };

/**
 * Typed topic map. Topics are `noun:verb`, keyed by `KIND:SYMBOL`, payloads JSON-safe (they cross Redis).
 */
export type Topics = {
  'analysis:updated': [key: string, record: AnalysisRecord];
  /** Every liquidation the store receives, keyed by symbol. */
  'liquidation:created': [symbol: string, liquidation: Liquidation];
  /** A LIQUIDATION_CASCADES result whose severity differs from the previous one, keyed by symbol. */
  'cascade:detected': [symbol: string, record: AnalysisRecord];
  /** Each new TRAPS detection (default 15 m analysis), once, keyed by symbol. */
  'trap:detected': [symbol: string, trap: Trap];
  /** A change of the default (1 h) VOLATILITY regime, keyed by symbol; the first result only sets the mark. */
  'volatility:regime-changed': [symbol: string, change: VolatilityRegimeChange];
  /** Trades with notional ≥ WHALE_TRADE_FLOOR (10 000 USD; not every trade), keyed by symbol. */
  'trade:created': [symbol: string, trade: PublishedTrade];
};

export const analysisKey = (kind: string, symbol: string) => `${kind}:${symbol}`;

export interface AppPubSub {
  pubsub: ReturnType<typeof createPubSub<Topics>>;
  kind: 'memory' | 'redis';
  ping(): Promise<void>;
  close(): Promise<void>;
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

type AnyEventTarget = ReturnType<typeof createRedisEventTarget<CustomEvent>>;

/**
 * Namespaces every channel with `prefix`: Redis pub/sub channels are global to the server (database
 * numbers do not separate them), so deployments and test runs sharing one Redis need distinct prefixes.
 */
function prefixed(target: AnyEventTarget, prefix: string): AnyEventTarget {
  return {
    dispatchEvent: (event: CustomEvent) => target.dispatchEvent(new CustomEvent(prefix + event.type, { detail: event.detail })),
    addEventListener: (type: string, listener: Parameters<AnyEventTarget['addEventListener']>[1]) =>
      target.addEventListener(prefix + type, listener),
    removeEventListener: (type: string, listener: Parameters<AnyEventTarget['removeEventListener']>[1]) =>
      target.removeEventListener(prefix + type, listener),
  } as AnyEventTarget;
}

export async function createAppPubSub(redisUrl: string | undefined, prefix = 'perpgraph:'): Promise<AppPubSub> {
  if (!redisUrl) {
    return { pubsub: createPubSub<Topics>(), kind: 'memory', ping: async () => {}, close: async () => {} };
  }
  const options = { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true } as const;
  const publishClient = new Redis(redisUrl, options);
  const subscribeClient = new Redis(redisUrl, options);
  await Promise.all([publishClient.connect(), subscribeClient.connect()]);
  const eventTarget = prefixed(createRedisEventTarget<CustomEvent>({ publishClient, subscribeClient }), prefix);
  return {
    pubsub: createPubSub<Topics>({ eventTarget }),
    kind: 'redis',
    async ping() {
      await publishClient.ping();
    },
    async close() {
      await Promise.allSettled([publishClient.quit(), subscribeClient.quit()]);
    },
  };
}
