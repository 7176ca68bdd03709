import { describe, expect, it } from 'vitest';
import { createMarketModel } from '../../src/datasources/simulated/index.js';

/**
 * The measured band (docs/market-data.md, `npm run calibrate:liquidations`): the only real liquidation
 * recordings are Hyperliquid 2023 (σ of log notional 1.46) and a 42.8 s Bybit capture with allLiquidation
 * subscribed for BTC, ETH, SOL and DOGE that received none (95 % upper bound 4.2 per minute for the four
 * together). Real BTC perpetuals liquidate somebody nearly every minute, so at least one per minute on average.
 */
const BAND = { minPerMinute: 1, maxPerMinute: 4.2, minShareOfMinutes: 0.35, sdLog: [1.26, 1.66] } as const;

describe('simulated liquidation rate', () => {
  it('is inside the measured band for BTCUSDT over 4 simulated hours', () => {
    for (const seed of [3, 42]) {
      const model = createMarketModel({ seed, symbols: ['BTCUSDT'], startTime: Date.UTC(2026, 5, 10, 13, 7), marketWide: false, tradeRateScale: 0.02, intervals: [] });
      const minutes = new Set<number>();
      const logNotional: number[] = [];
      for (let i = 0; i < 240; i++) {
        for (const e of model.step(60_000)) {
          if (e.type !== 'liquidation') continue;
          minutes.add(Math.floor(e.liquidation.time / 60_000));
          logNotional.push(Math.log(e.liquidation.qty * e.liquidation.price));
        }
      }
      const rate = logNotional.length / 240;
      expect(rate, `seed ${seed}: liquidations per minute`).toBeGreaterThanOrEqual(BAND.minPerMinute);
      expect(rate, `seed ${seed}: under the Bybit bound`).toBeLessThanOrEqual(BAND.maxPerMinute);
      expect(minutes.size / 240, `seed ${seed}: share of minutes with a liquidation`).toBeGreaterThanOrEqual(BAND.minShareOfMinutes);
      const mean = logNotional.reduce((a, b) => a + b, 0) / logNotional.length;
      const sd = Math.sqrt(logNotional.reduce((a, b) => a + (b - mean) ** 2, 0) / (logNotional.length - 1));
      expect(sd, `seed ${seed}: size dispersion like the real 1.46`).toBeGreaterThan(BAND.sdLog[0]);
      expect(sd).toBeLessThan(BAND.sdLog[1]);
    }
  });
});
