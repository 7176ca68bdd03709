import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Event-loop delay over the last completed window (what `health.eventLoop` reports). */
export interface EventLoopHealth {
  /** Median delay, milliseconds. */
  p50Ms: number;
  /** 99th-percentile delay, milliseconds. */
  p99Ms: number;
  /** Longest delay seen, milliseconds. */
  maxMs: number;
  /** Mean delay, milliseconds. */
  meanMs: number;
  /** Length of the window these figures cover, milliseconds (the current one until a window has completed). */
  windowMs: number;
}

export interface EventLoopMonitor {
  health(): EventLoopHealth;
  stop(): void;
}

const round = (ns: number) => Math.round(ns / 1e4) / 100; // ns → ms, 2 decimals

/**
 * Samples event-loop delay with Node's own histogram (`perf_hooks.monitorEventLoopDelay`, sampled every
 * `resolutionMs`) in fixed windows: every `windowMs` the figures of the window just finished are kept and the
 * histogram is reset, so the report reflects the last minute rather than everything since start and the
 * histogram's memory stays constant.
 */
export function createEventLoopMonitor(options: { windowMs?: number; resolutionMs?: number } = {}): EventLoopMonitor {
  const windowMs = options.windowMs ?? 60_000;
  const histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: options.resolutionMs ?? 10 });
  histogram.enable();
  let windowStarted = performance.now();
  let last: EventLoopHealth | undefined;

  const read = (elapsed: number): EventLoopHealth => {
    const empty = histogram.count === 0;
    return {
      p50Ms: empty ? 0 : round(histogram.percentile(50)),
      p99Ms: empty ? 0 : round(histogram.percentile(99)),
      maxMs: empty ? 0 : round(histogram.max),
      meanMs: empty ? 0 : round(histogram.mean),
      windowMs: Math.round(elapsed),
    };
  };

  const timer = setInterval(() => {
    const now = performance.now();
    last = read(now - windowStarted);
    histogram.reset();
    windowStarted = now;
  }, windowMs);
  timer.unref();

  return {
    health: () => last ?? read(performance.now() - windowStarted),
    stop() {
      clearInterval(timer);
      histogram.disable();
    },
  };
}
