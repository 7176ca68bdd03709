import { describe, expect, it } from 'vitest';
import { generateHistory, generateMarketHistory } from '../../src/datasources/simulated/index.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 5, 10, 13, 7);

function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((x, y) => x + y, 0) / n;
  const mb = b.reduce((x, y) => x + y, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('simulated Fear & Greed follows the simulated price', () => {
  it('the BTC candles pass through the daily closes fear & greed is computed from', () => {
    const market = generateMarketHistory({ seed: 42, startTime: START });
    const bars = generateHistory({ seed: 42, symbol: 'BTCUSDT', startTime: START }).candles.get('4h')!;
    const closeAt = new Map(bars.map((c) => [c.closeTime + 1, c.close]));
    const shared = market.dailyLogCloses.BTC.filter((p) => closeAt.has(p.time));
    expect(shared.length, '500 4h bars span 83 midnights').toBe(83);
    // Prices are rounded to the 0.1 tick: at most half a tick apart.
    for (const p of shared) expect(Math.abs(closeAt.get(p.time)! - Math.exp(p.log)), new Date(p.time).toISOString()).toBeLessThanOrEqual(0.05 + 1e-9);
  });

  it('correlates positively with the 7-day BTC return over 1 000 simulated days', () => {
    // Expected ≈ 0.55: the 30-day momentum term (28·tanh(r30/0.15); corr(r7, r30) = √(7/30) ≈ 0.48) and the
    // 7-day term dominate the noise (AR(1), sd 6/√(1 − 0.7²) ≈ 8.4). Over 1 000 overlapping days the
    // estimate varies by ≈ 0.05 between seeds, so 0.3 is several sd below it, while a value that ignores the
    // price (≈ 0) or the old unlinked path (−0.16 measured) fails.
    for (const seed of [1, 2, 42, 99]) {
      const market = generateMarketHistory({ seed, startTime: START, fearGreedDays: 1_000 });
      const logAt = new Map(market.dailyLogCloses.BTC.map((p) => [p.time, p.log]));
      const values: number[] = [];
      const returns: number[] = [];
      for (const f of market.fearGreed) {
        const now = logAt.get(f.time);
        const weekAgo = logAt.get(f.time - 7 * DAY);
        if (now === undefined || weekAgo === undefined) continue;
        values.push(f.value);
        returns.push(now - weekAgo);
      }
      expect(values.length, 'a value every day').toBe(1_000);
      expect(pearson(values, returns), `seed ${seed}`).toBeGreaterThan(0.3);
    }
  });
});
