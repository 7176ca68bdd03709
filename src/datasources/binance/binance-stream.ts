import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import WebSocket from 'ws';

/**
 * Binance USD-M futures market streams over WebSocket, combined-stream form:
 * `${url}/stream?streams=a/b/c`, each message `{"stream":"<name>","data":<payload>}`.
 *
 * Venue rules this follows (@see https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams):
 * - A connection lives at most 24 h: it is rotated after `rotateAfterMs` (23 h) by opening the
 *   replacement first and closing the old one `rotateOverlapMs` later, so nothing is lost.
 * - The server pings every 3 minutes and drops a connection that does not pong within 10 minutes:
 *   `ws` answers every ping with a pong carrying the same payload (`autoPong`).
 * - Streams are given in the URL rather than with `SUBSCRIBE` messages: a reconnect re-subscribes
 *   atomically, and nothing counts against the 10-incoming-messages-per-second limit.
 * - At most `maxStreamsPerConnection` (200, the conservative figure; newer docs allow 1024) streams per
 *   connection; more streams are spread over several connections, each with its own lifecycle.
 *
 * Delivery: a lost connection (close, error, or no frame for `staleAfterMs`) is replaced after a
 * jittered exponential backoff; what was missed meanwhile is not replayed, `onReconnect` reports the
 * window so the caller can backfill it over REST. During a rotation both connections carry the same
 * messages; byte-identical copies are dropped, but consumers should stay idempotent (aggTrade id, kline
 * openTime) since delivery is only guaranteed at least once.
 */

export interface StreamGap {
  /** When the last message of the affected connection arrived (`now()` clock), or when it opened if none did. */
  from: number;
  /** When the replacement connection opened. */
  to: number;
  /** Streams of the affected connection, i.e. what to backfill over REST. */
  streams: readonly string[];
}

export interface BinanceStreamOptions {
  /** Base URL without path, e.g. `wss://fstream.binance.com`. */
  url: string;
  /** Combined-stream names, e.g. from `streamNamesFor` (`btcusdt@aggTrade`, ...). Duplicates are dropped. */
  streams: readonly string[];
  logger?: Logger;
  /**
   * Every JSON message, as parsed (`{stream, data}`); feed it to `parseStreamMessage`. Exceptions are
   * logged and counted (`health().handlerErrors`), never propagated.
   */
  onMessage(msg: unknown): void;
  /**
   * After an unplanned loss, once the replacement connection is open (not after a rotation, which loses
   * nothing). Exceptions are logged and counted like `onMessage`'s.
   */
  onReconnect?(gap: StreamGap): void;
  /** Clock for `lastMessageAt` and gaps. Default `Date.now`. Timers run on real time regardless. */
  now?: () => number;
  /** Reconnect delay: `min(maxMs, initialMs · 2^failures)`, jittered to 50–100 %. Default 1000 / 60000 ms. */
  backoff?: { initialMs: number; maxMs: number };
  /** Rotate each connection after this long (Binance closes at 24 h). Default 23 h. */
  rotateAfterMs?: number;
  /** How long the old and new connection overlap during a rotation. Default 2000 ms. */
  rotateOverlapMs?: number;
  /**
   * No frame (message, ping or pong) for this long: the connection is terminated and replaced. After half
   * of it without a frame a ping is sent, so a quiet but live connection (e.g. forceOrder only) stays up.
   * Also the handshake deadline. Default 30 s.
   */
  staleAfterMs?: number;
  /** Default 200. */
  maxStreamsPerConnection?: number;
  /** Jitter source in [0, 1). Default `Math.random`. */
  random?: () => number;
}

export interface BinanceStreamHealth {
  /** Every connection is open. */
  connected: boolean;
  /** Unplanned losses recovered (rotations not included). */
  reconnects: number;
  /** Proactive 24 h rotations completed. */
  rotations: number;
  /** Newest message over all connections (`now()` clock). */
  lastMessageAt: number | null;
  /** Last connection-level failure (error, close, stale), kept after recovery. */
  lastError: string | null;
  /** Open sockets, including one being rotated out. */
  sockets: number;
  /** Exceptions thrown by `onMessage` / `onReconnect`. */
  handlerErrors: number;
  /** Messages that were not JSON (dropped). */
  badMessages: number;
}

export interface BinanceStream {
  /**
   * Opens every connection. Resolves once all are open; until then failed attempts are retried in the
   * background with backoff, so it may wait for as long as the venue is unreachable (race it with a
   * timeout where start-up must not block; `health()` tells the state meanwhile). Rejects only if
   * `stop()` is called first. Calling it again returns the same promise.
   */
  start(): Promise<void>;
  /** Closes every connection and cancels pending reconnects; nothing reconnects afterwards. Idempotent. */
  stop(): Promise<void>;
  health(): BinanceStreamHealth;
}

const DEFAULTS = {
  backoff: { initialMs: 1_000, maxMs: 60_000 },
  rotateAfterMs: 23 * 3_600_000,
  rotateOverlapMs: 2_000,
  staleAfterMs: 30_000,
  maxStreamsPerConnection: 200,
} as const;

/** Longest URL we build; far below what proxies and Binance accept. */
const MAX_URL_LENGTH = 8_000;
/** Bound on remembered messages for de-duplication during a rotation overlap. */
const MAX_DEDUPE = 100_000;

/**
 * Delay before reconnect attempt number `failures` (0-based): `min(maxMs, initialMs · 2^failures)`
 * scaled by a factor in [0.5, 1] ("equal jitter": spreads reconnect storms, keeps a floor).
 */
export function backoffDelay(failures: number, backoff: { initialMs: number; maxMs: number }, random: () => number = Math.random): number {
  const base = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(Math.max(failures, 0), 30));
  return Math.round(base * (0.5 + 0.5 * Math.min(Math.max(random(), 0), 1)));
}

/** Splits streams into combined-stream URLs of at most `max` streams and `MAX_URL_LENGTH` characters. */
export function combinedStreamUrls(url: string, streams: readonly string[], max: number = DEFAULTS.maxStreamsPerConnection): Array<{ url: string; streams: string[] }> {
  const base = `${url.replace(/\/+$/, '')}/stream?streams=`;
  const out: Array<{ url: string; streams: string[] }> = [];
  let chunk: string[] = [];
  let length = base.length;
  for (const stream of new Set(streams)) {
    if (chunk.length > 0 && (chunk.length >= max || length + 1 + stream.length > MAX_URL_LENGTH)) {
      out.push({ url: base + chunk.join('/'), streams: chunk });
      chunk = [];
      length = base.length;
    }
    length += (chunk.length > 0 ? 1 : 0) + stream.length;
    chunk.push(stream);
  }
  if (chunk.length > 0) out.push({ url: base + chunk.join('/'), streams: chunk });
  return out;
}

interface Conn {
  ws: WebSocket;
  shard: Shard;
  /** `now()` when the handshake completed; null while connecting. */
  openedAt: number | null;
  /** performance.now() of the last frame of any kind (message, ping, pong). */
  lastFrame: number;
  /** A heartbeat ping is outstanding since the last frame. */
  pingSent: boolean;
  /** Being rotated out (or stopped): its close is expected. */
  retired: boolean;
  /** Why it failed (socket error, staleness), reported as `lastError` when it closes. */
  failure: string | null;
  watchdog: NodeJS.Timeout | null;
  rotateTimer: NodeJS.Timeout | null;
  retireTimer: NodeJS.Timeout | null;
  /** Settles on the socket's 'close'. */
  closed: Promise<void>;
}

/** One combined-stream URL and the connection(s) serving it. */
interface Shard {
  url: string;
  streams: string[];
  /** The connection whose messages we rely on. */
  current: Conn | null;
  /** A connection attempt in flight (reconnect or rotation replacement). */
  pending: Conn | null;
  /** Old connections being closed after a rotation. */
  retiring: Set<Conn>;
  /** Reconnect or rotation-retry timer. */
  timer: NodeJS.Timeout | null;
  /** Consecutive attempts without proof of a healthy connection; drives the backoff. */
  failures: number;
  lastMessageAt: number | null;
  /** Start of the gap to report once reconnected; null when nothing was lost. */
  gapFrom: number | null;
  everOpened: boolean;
  /** Raw texts seen during a rotation overlap, with the connection that delivered them. */
  seen: Map<string, Conn> | null;
  seenTimer: NodeJS.Timeout | null;
}

function rawText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

export function createBinanceStream(options: BinanceStreamOptions): BinanceStream {
  const { logger, onMessage, onReconnect } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const backoff = options.backoff ?? DEFAULTS.backoff;
  const rotateAfterMs = options.rotateAfterMs ?? DEFAULTS.rotateAfterMs;
  const rotateOverlapMs = options.rotateOverlapMs ?? DEFAULTS.rotateOverlapMs;
  const staleAfterMs = options.staleAfterMs ?? DEFAULTS.staleAfterMs;
  const maxStreams = options.maxStreamsPerConnection ?? DEFAULTS.maxStreamsPerConnection;

  const protocol = new URL(options.url).protocol;
  if (protocol !== 'ws:' && protocol !== 'wss:') throw new RangeError(`expected a ws: or wss: URL, got ${JSON.stringify(options.url)}`);
  if (options.streams.length === 0) throw new RangeError('no streams to subscribe to');
  if (!(backoff.initialMs > 0 && backoff.maxMs >= backoff.initialMs))
    throw new RangeError(`bad backoff ${JSON.stringify(backoff)}: need 0 < initialMs <= maxMs`);
  for (const [name, value] of [['rotateAfterMs', rotateAfterMs], ['staleAfterMs', staleAfterMs], ['maxStreamsPerConnection', maxStreams]] as const)
    if (!(value > 0)) throw new RangeError(`${name} must be positive, got ${value}`);

  const shards: Shard[] = combinedStreamUrls(options.url, options.streams, maxStreams).map(({ url, streams }) => ({
    url,
    streams,
    current: null,
    pending: null,
    retiring: new Set(),
    timer: null,
    failures: 0,
    lastMessageAt: null,
    gapFrom: null,
    everOpened: false,
    seen: null,
    seenTimer: null,
  }));

  let stopped = false;
  let stopping: Promise<void> | null = null;
  let started: Promise<void> | null = null;
  let settleStart: { resolve: () => void; reject: (err: Error) => void } | null = null;
  let reconnects = 0;
  let rotations = 0;
  let handlerErrors = 0;
  let badMessages = 0;
  let lastMessageAt: number | null = null;
  let lastError: string | null = null;

  /** Event-handler wrapper: whatever goes wrong inside is logged, never thrown into `ws`. */
  const guarded =
    <A extends unknown[]>(what: string, fn: (...args: A) => void) =>
    (...args: A): void => {
      try {
        fn(...args);
      } catch (err) {
        logger?.error({ err }, `binance stream: ${what} failed`);
      }
    };

  function callUser(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      handlerErrors += 1;
      logger?.error({ err }, `binance stream: ${what} threw`);
    }
  }

  function connect(shard: Shard): void {
    if (stopped) return;
    const ws = new WebSocket(shard.url, { handshakeTimeout: staleAfterMs, autoPong: true, perMessageDeflate: false });
    let markClosed!: () => void;
    const conn: Conn = {
      ws,
      shard,
      openedAt: null,
      lastFrame: performance.now(),
      pingSent: false,
      retired: false,
      failure: null,
      watchdog: null,
      rotateTimer: null,
      retireTimer: null,
      closed: new Promise<void>((resolve) => (markClosed = resolve)),
    };
    shard.pending = conn;
    ws.on('open', guarded('open', () => onOpen(conn)));
    ws.on('message', guarded('message', (data: WebSocket.RawData) => onData(conn, data)));
    ws.on('ping', guarded('ping', () => touch(conn)));
    ws.on('pong', guarded('pong', () => {
      touch(conn);
      if (conn === shard.current) shard.failures = 0; // a pong proves the connection works end to end
    }));
    ws.on('error', guarded('error', (err: Error) => {
      if (conn.retired || stopped) return;
      conn.failure ??= err.message;
      logger?.warn({ err, streams: shard.streams.length }, 'binance stream socket error');
    }));
    ws.on('close', guarded('close', (code: number, reason: Buffer) => {
      markClosed();
      onClose(conn, code, reason.toString('utf8'));
    }));
  }

  function touch(conn: Conn): void {
    conn.lastFrame = performance.now();
    conn.pingSent = false;
  }

  function onOpen(conn: Conn): void {
    const { shard } = conn;
    if (stopped) {
      conn.ws.terminate();
      return;
    }
    if (shard.pending === conn) shard.pending = null;
    conn.openedAt = now();
    touch(conn);
    conn.watchdog = setInterval(guarded('watchdog', () => checkAlive(conn)), Math.max(5, Math.floor(staleAfterMs / 4)));
    conn.watchdog.unref();
    conn.rotateTimer = setTimeout(guarded('rotate', () => rotate(shard)), rotateAfterMs);

    const old = shard.current;
    shard.current = conn;
    if (old) {
      retire(old);
      rotations += 1;
      logger?.info({ streams: shard.streams.length }, 'binance stream rotated');
    } else if (shard.everOpened) {
      reconnects += 1;
      const gap: StreamGap = { from: shard.gapFrom ?? conn.openedAt, to: conn.openedAt, streams: shard.streams };
      shard.gapFrom = null;
      logger?.info({ gap: { from: gap.from, to: gap.to }, streams: shard.streams.length }, 'binance stream reconnected');
      if (onReconnect) callUser('onReconnect', () => onReconnect(gap));
    }
    shard.everOpened = true;
    if (settleStart && shards.every((s) => s.current !== null)) {
      settleStart.resolve();
      settleStart = null;
    }
  }

  function onData(conn: Conn, data: WebSocket.RawData): void {
    if (stopped) return;
    const { shard } = conn;
    touch(conn);
    const text = rawText(data);
    if (shard.seen) {
      // Rotation overlap: both connections carry the same messages, byte for byte.
      const from = shard.seen.get(text);
      if (from !== undefined && from !== conn) return;
      if (shard.seen.size < MAX_DEDUPE) shard.seen.set(text, conn);
    }
    const at = now();
    shard.lastMessageAt = at;
    lastMessageAt = lastMessageAt === null ? at : Math.max(lastMessageAt, at);
    if (conn === shard.current) shard.failures = 0;
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch (err) {
      badMessages += 1;
      logger?.warn({ err, bytes: text.length }, 'binance stream: message is not JSON; dropped');
      return;
    }
    callUser('onMessage', () => onMessage(msg));
  }

  function checkAlive(conn: Conn): void {
    if (conn.retired) return;
    const idle = performance.now() - conn.lastFrame;
    if (idle >= staleAfterMs) {
      conn.failure = `stale: no frame for ${Math.round(idle)} ms`;
      logger?.warn({ idleMs: Math.round(idle), streams: conn.shard.streams.length }, 'binance stream stale; reconnecting');
      conn.ws.terminate();
    } else if (idle >= staleAfterMs / 2 && !conn.pingSent && conn.ws.readyState === WebSocket.OPEN) {
      conn.pingSent = true;
      conn.ws.ping();
    }
  }

  function clearTimers(conn: Conn): void {
    if (conn.watchdog) clearInterval(conn.watchdog);
    if (conn.rotateTimer) clearTimeout(conn.rotateTimer);
    if (conn.retireTimer) clearTimeout(conn.retireTimer);
    conn.watchdog = conn.rotateTimer = conn.retireTimer = null;
  }

  function retire(old: Conn): void {
    const { shard } = old;
    old.retired = true;
    clearTimers(old);
    shard.retiring.add(old);
    if (shard.seenTimer) clearTimeout(shard.seenTimer);
    shard.seenTimer = null;
    shard.seen ??= new Map();
    old.retireTimer = setTimeout(guarded('retire', () => old.ws.close(1000, 'rotated')), rotateOverlapMs);
  }

  function rotate(shard: Shard): void {
    if (stopped || shard.pending) return;
    // Remember what the current connection delivers from now on, so the replacement's copies are dropped.
    if (shard.current) shard.seen ??= new Map();
    connect(shard);
  }

  function schedule(shard: Shard, what: 'reconnect' | 'rotate'): void {
    if (stopped) return;
    const delay = backoffDelay(shard.failures, backoff, random);
    shard.failures += 1;
    if (shard.timer) clearTimeout(shard.timer);
    shard.timer = setTimeout(
      guarded(what, () => {
        shard.timer = null;
        if (what === 'reconnect') connect(shard);
        else rotate(shard);
      }),
      delay,
    );
    logger?.info({ delayMs: delay, failures: shard.failures, streams: shard.streams.length }, `binance stream: ${what} scheduled`);
  }

  function onClose(conn: Conn, code: number, reason: string): void {
    const { shard } = conn;
    clearTimers(conn);
    if (stopped) return;
    if (conn.retired) {
      shard.retiring.delete(conn);
      if (shard.retiring.size === 0) {
        // Keep de-duplicating a little longer: the new connection may still deliver what the old one did.
        if (shard.seenTimer) clearTimeout(shard.seenTimer);
        shard.seenTimer = setTimeout(() => {
          shard.seen = null;
          shard.seenTimer = null;
        }, rotateOverlapMs);
        shard.seenTimer.unref();
      }
      return;
    }
    lastError = conn.failure ?? `closed (${code}${reason ? ` ${reason}` : ''})`;
    if (shard.pending === conn) {
      // Never opened: a failed reconnect, or a failed rotation while the current connection lives on.
      shard.pending = null;
      if (shard.retiring.size === 0 && !shard.seenTimer) shard.seen = null;
      schedule(shard, shard.current ? 'rotate' : 'reconnect');
      return;
    }
    if (shard.current === conn) {
      shard.current = null;
      shard.gapFrom ??= shard.lastMessageAt ?? conn.openedAt ?? now();
      logger?.warn({ code, reason, failure: conn.failure, streams: shard.streams.length }, 'binance stream connection lost');
      // A rotation replacement already in flight becomes the reconnect.
      if (!shard.pending) schedule(shard, 'reconnect');
    }
  }

  async function closeConn(conn: Conn): Promise<void> {
    clearTimers(conn);
    const { ws } = conn;
    if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'stopped');
    else if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else if (ws.readyState === WebSocket.CLOSED) return;
    const fallback = setTimeout(() => ws.terminate(), 1_000);
    await conn.closed;
    clearTimeout(fallback);
  }

  return {
    start() {
      if (started) return started;
      if (stopped) return Promise.reject(new Error('binance stream: start() after stop()'));
      started = new Promise<void>((resolve, reject) => (settleStart = { resolve, reject }));
      started.catch(() => {}); // a caller that does not await start() must not see an unhandled rejection
      for (const shard of shards) connect(shard);
      return started;
    },

    stop() {
      if (stopping) return stopping;
      stopped = true;
      settleStart?.reject(new Error('binance stream stopped before every connection opened'));
      settleStart = null;
      const conns: Conn[] = [];
      for (const shard of shards) {
        if (shard.timer) clearTimeout(shard.timer);
        if (shard.seenTimer) clearTimeout(shard.seenTimer);
        shard.timer = shard.seenTimer = null;
        for (const conn of [shard.current, shard.pending, ...shard.retiring]) if (conn) conns.push(conn);
        shard.current = shard.pending = null;
        shard.retiring.clear();
        shard.seen = null;
      }
      for (const conn of conns) conn.retired = true;
      stopping = Promise.all(conns.map(closeConn)).then(() => undefined);
      return stopping;
    },

    health() {
      let sockets = 0;
      for (const shard of shards)
        for (const conn of [shard.current, ...shard.retiring]) if (conn?.ws.readyState === WebSocket.OPEN) sockets += 1;
      return {
        connected: !stopped && shards.every((s) => s.current?.ws.readyState === WebSocket.OPEN),
        reconnects,
        rotations,
        lastMessageAt,
        lastError,
        sockets,
        handlerErrors,
        badMessages,
      };
    },
  };
}
