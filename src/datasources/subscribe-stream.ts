import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import { backoffDelay, type StreamGap } from './binance/binance-stream.js';

/**
 * A market stream of a venue that subscribes by message on one URL (Bybit v5, OKX v5), as opposed to
 * Binance's combined-stream URL:
 *
 * - on every open, the topics are (re)subscribed with `subscribeFrames(topics)` (the venue's chunking);
 * - an application-level heartbeat: `heartbeat.frame` (Bybit `{"op":"ping"}` JSON, OKX the text `ping`)
 *   is sent after `heartbeat.everyMs` without a frame; `heartbeat.isPong(text)` frames are swallowed;
 * - a connection with no frame at all for `staleAfterMs` is terminated and replaced after a jittered
 *   exponential back-off (`backoffDelay`, shared with the Binance stream);
 * - the window lost between the last frame and the replacement's open is reported to `onReconnect` so
 *   the caller backfills it over REST. Delivery is at least once: consumers stay idempotent.
 */

export interface SubscribeStreamOptions {
  /** Full URL, e.g. `wss://stream.bybit.com/v5/public/linear`. */
  url: string;
  /** Topics to subscribe (venue-specific strings; duplicates dropped). */
  topics: readonly string[];
  /** Text frames that subscribe `topics` (one or more, within the venue's size limits). */
  subscribeFrames(topics: readonly string[]): string[];
  heartbeat: { everyMs: number; frame: string; isPong(text: string): boolean };
  /** Every non-pong JSON message as parsed. Exceptions are logged and counted, never propagated. */
  onMessage(msg: unknown): void;
  onReconnect?(gap: StreamGap): void;
  logger?: Logger;
  /** Name used in logs, e.g. `bybit`. */
  name: string;
  now?: () => number;
  /** Default 1000 / 60000 ms. */
  backoff?: { initialMs: number; maxMs: number };
  /** No frame for this long: reconnect. Also the handshake deadline. Default 60 s. */
  staleAfterMs?: number;
  random?: () => number;
}

export interface SubscribeStreamHealth {
  connected: boolean;
  reconnects: number;
  lastMessageAt: number | null;
  lastError: string | null;
  /** Heartbeat frames sent / pongs received. */
  pings: number;
  pongs: number;
  handlerErrors: number;
  badMessages: number;
}

export interface SubscribeStream {
  /** Resolves once connected (retrying in the background); rejects only if stopped first. */
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): SubscribeStreamHealth;
}

function rawText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

export function createSubscribeStream(options: SubscribeStreamOptions): SubscribeStream {
  const { logger, name } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const backoff = options.backoff ?? { initialMs: 1_000, maxMs: 60_000 };
  const staleAfterMs = options.staleAfterMs ?? 60_000;
  const topics = [...new Set(options.topics)];
  const protocol = new URL(options.url).protocol;
  if (protocol !== 'ws:' && protocol !== 'wss:') throw new RangeError(`expected a ws: or wss: URL, got ${JSON.stringify(options.url)}`);
  if (topics.length === 0) throw new RangeError('no topics to subscribe to');
  if (!(options.heartbeat.everyMs > 0)) throw new RangeError('heartbeat.everyMs must be positive');

  let ws: WebSocket | null = null;
  let openedAt: number | null = null;
  let lastFrame = 0;
  let lastHeartbeat = 0;
  let watchdog: NodeJS.Timeout | null = null;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let failures = 0;
  let everOpened = false;
  let gapFrom: number | null = null;
  let stopped = false;
  let started: Promise<void> | null = null;
  let settle: { resolve: () => void; reject: (e: Error) => void } | null = null;
  let closed: Promise<void> = Promise.resolve();
  const h: SubscribeStreamHealth = { connected: false, reconnects: 0, lastMessageAt: null, lastError: null, pings: 0, pongs: 0, handlerErrors: 0, badMessages: 0 };

  const callUser = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (err) {
      h.handlerErrors += 1;
      logger?.error({ err }, `${name} stream: ${what} threw`);
    }
  };

  function connect(): void {
    if (stopped) return;
    const socket = new WebSocket(options.url, { handshakeTimeout: staleAfterMs, perMessageDeflate: false });
    ws = socket;
    let markClosed!: () => void;
    closed = new Promise<void>((resolve) => (markClosed = resolve));
    let failure: string | null = null;
    socket.on('open', () => {
      if (stopped) return socket.terminate();
      openedAt = now();
      lastFrame = lastHeartbeat = performance.now();
      for (const frame of options.subscribeFrames(topics)) socket.send(frame);
      watchdog = setInterval(() => check(socket), Math.max(5, Math.floor(Math.min(staleAfterMs, options.heartbeat.everyMs) / 4)));
      watchdog.unref();
      if (everOpened) {
        h.reconnects += 1;
        const gap: StreamGap = { from: gapFrom ?? openedAt, to: openedAt, streams: topics };
        gapFrom = null;
        logger?.info({ gap: { from: gap.from, to: gap.to }, topics: topics.length }, `${name} stream reconnected and resubscribed`);
        if (options.onReconnect) callUser('onReconnect', () => options.onReconnect!(gap));
      }
      everOpened = true;
      settle?.resolve();
      settle = null;
    });
    socket.on('message', (data: WebSocket.RawData) => {
      if (stopped) return;
      lastFrame = performance.now();
      const text = rawText(data);
      if (options.heartbeat.isPong(text)) {
        h.pongs += 1;
        failures = 0; // a pong proves the connection works end to end
        return;
      }
      failures = 0;
      const at = now();
      h.lastMessageAt = at;
      let msg: unknown;
      try {
        msg = JSON.parse(text);
      } catch (err) {
        h.badMessages += 1;
        logger?.warn({ err, bytes: text.length }, `${name} stream: message is not JSON; dropped`);
        return;
      }
      callUser('onMessage', () => options.onMessage(msg));
    });
    socket.on('error', (err: Error) => {
      if (stopped) return;
      failure ??= err.message;
      logger?.warn({ err }, `${name} stream socket error`);
    });
    socket.on('close', (code: number, reason: Buffer) => {
      markClosed();
      if (watchdog) clearInterval(watchdog);
      watchdog = null;
      if (stopped || ws !== socket) return;
      ws = null;
      h.lastError = failure ?? `closed (${code}${reason.length ? ` ${reason.toString('utf8')}` : ''})`;
      if (openedAt !== null) gapFrom ??= h.lastMessageAt ?? openedAt;
      openedAt = null;
      const delay = backoffDelay(failures, backoff, random);
      failures += 1;
      logger?.warn({ code, failure, delayMs: delay }, `${name} stream connection lost; reconnecting`);
      reconnectTimer = setTimeout(() => {
        reconnectTimer = null;
        connect();
      }, delay);
    });
    // Stale sockets are terminated by the watchdog; a dead handshake by handshakeTimeout.
    function check(s: WebSocket): void {
      if (s !== ws || s.readyState !== WebSocket.OPEN) return;
      const t = performance.now();
      const idle = t - lastFrame;
      if (idle >= staleAfterMs) {
        failure = `stale: no frame for ${Math.round(idle)} ms`;
        logger?.warn({ idleMs: Math.round(idle) }, `${name} stream stale; reconnecting`);
        s.terminate();
      } else if (t - lastHeartbeat >= options.heartbeat.everyMs) {
        lastHeartbeat = t;
        h.pings += 1;
        s.send(options.heartbeat.frame);
      }
    }
  }

  return {
    start() {
      if (started) return started;
      if (stopped) return Promise.reject(new Error(`${name} stream: start() after stop()`));
      started = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
      started.catch(() => {});
      connect();
      return started;
    },
    async stop() {
      if (stopped) return closed;
      stopped = true;
      settle?.reject(new Error(`${name} stream stopped before it connected`));
      settle = null;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      if (watchdog) clearInterval(watchdog);
      const socket = ws;
      ws = null;
      if (socket && socket.readyState !== WebSocket.CLOSED) {
        if (socket.readyState === WebSocket.OPEN) socket.close(1000, 'stopped');
        else socket.terminate();
        const fallback = setTimeout(() => socket.terminate(), 1_000);
        await closed;
        clearTimeout(fallback);
      }
    },
    health() {
      return { ...h, connected: !stopped && ws?.readyState === WebSocket.OPEN && openedAt !== null };
    },
  };
}
