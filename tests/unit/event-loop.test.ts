import { afterEach, describe, expect, it } from 'vitest';
import { createEventLoopMonitor, type EventLoopMonitor } from '../../src/event-loop.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy: nothing else may run on the loop meanwhile
  }
}

describe('event-loop monitor', () => {
  let monitor: EventLoopMonitor | undefined;
  afterEach(() => monitor?.stop());

  it('reports a 250 ms block as the window maximum, while the median stays near the sampling interval', async () => {
    monitor = createEventLoopMonitor({ windowMs: 60_000, resolutionMs: 10 });
    await sleep(300);
    block(250);
    await sleep(300);
    const h = monitor.health();
    expect(h.maxMs, 'the block delays one sample by about its length').toBeGreaterThanOrEqual(200);
    expect(h.maxMs).toBeLessThan(2_000);
    expect(h.p50Ms, 'most samples are not delayed by the block').toBeLessThan(200);
    expect(h.windowMs, 'still the first window: its length so far').toBeGreaterThanOrEqual(550);
  });

  it('reports the last completed window, so an old block ages out', async () => {
    monitor = createEventLoopMonitor({ windowMs: 400, resolutionMs: 10 });
    await sleep(50);
    block(250);
    await sleep(1_000); // the block's window completes, then a quiet one
    const h = monitor.health();
    expect(h.windowMs, 'a completed window').toBeGreaterThanOrEqual(390);
    expect(h.maxMs, 'the quiet window does not contain the 250 ms block').toBeLessThan(200);
  });
});
