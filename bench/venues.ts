/**
 * Cost of the cross-venue analyses (npm run bench:venues): three venue stores of one symbol filled to their
 * bounds (5 000 trades, 2 000 open-interest points, 1 000 candles of 1m and 1h, 5 000 liquidations, mark and
 * ticker), each cross-venue definition computed directly (no cache) and the single-venue FUNDING definition as
 * the baseline measured in the same run; and the simulated venue variant (one event mapped for BYBIT and OKX
 * and applied to their stores) against the primary store's own apply of the same event.
 */
import { createMarketStore } from '../src/engine/market-store.js';
import type { VenueSnapshot } from '../src/engine/definition.js';
import { aggregatedOpenInterestDefinition } from '../src/engine/definitions/aggregated-open-interest.js';
import { aggregatedFundingDefinition } from '../src/engine/definitions/aggregated-funding.js';
import { fundingArbitrageDefinition } from '../src/engine/definitions/funding-arbitrage.js';
import { priceSpreadDefinition } from '../src/engine/definitions/venue-price-spread.js';
import { aggregatedCvdDefinition } from '../src/engine/definitions/aggregated-cvd.js';
import { aggregatedLiquidationCascadesDefinition } from '../src/engine/definitions/aggregated-liquidation-cascades.js';
import { fundingDefinition } from '../src/engine/definitions/funding.js';
import { createSimulatedVenueVariant } from '../src/datasources/simulated/venue-variant.js';
import type { MarketEvent } from '../src/domain/market.js';
import { PERP_VENUES } from '../src/domain/venue.js';

const S = 'BTCUSDT';
const NOW = 1_800_000_000_000;
const stores = PERP_VENUES.map((venue, k) => {
  const store = createMarketStore([S]);
  const f = 1 + k * 0.0002;
  for (let i = 0; i < 90; i++) store.apply({ type: 'funding', funding: { symbol: S, rate: 0.0001 + k * 1e-5, fundingTime: NOW - (90 - i) * 8 * 3_600_000, markPrice: null } });
  for (const [interval, ms] of [['1m', 60_000], ['1h', 3_600_000]] as const)
    for (let i = 0; i < 1_000; i++) {
      const open = NOW - (1_000 - i) * ms;
      store.apply({ type: 'candle', candle: { symbol: S, interval, openTime: open, closeTime: open + ms - 1, open: 1e5 * f, high: 1e5 * f, low: 1e5 * f, close: 1e5 * f, volume: 10, quoteVolume: 1e6, takerBuyVolume: 5, trades: 100, closed: true } });
    }
  for (let i = 0; i < 2_000; i++) store.apply({ type: 'openInterest', openInterest: { symbol: S, openInterest: 50_000 + i, openInterestValue: k === 1 ? null : (50_000 + i) * 1e5, time: NOW - (2_000 - i) * 60_000 } });
  for (let i = 0; i < 5_000; i++) store.apply({ type: 'trade', trade: { symbol: S, id: i, price: 1e5 * f, qty: 0.01 + (i % 7) * 0.01, time: NOW - (5_000 - i) * 100, side: i % 3 === 0 ? 'SELL' : 'BUY' } });
  for (let i = 0; i < 5_000; i++) store.apply({ type: 'liquidation', liquidation: { symbol: S, side: i % 2 ? 'BUY' : 'SELL', liquidatedSide: i % 2 ? 'SHORT' : 'LONG', price: 1e5, averagePrice: 1e5, qty: 0.1, notional: 1e4, time: NOW - (5_000 - i) * 10_000, complete: false } });
  store.apply({ type: 'markPrice', mark: { symbol: S, markPrice: 1e5 * f, indexPrice: 1e5, predictedFundingRate: 0.0001 * (k + 1), nextFundingTime: NOW + 3_600_000, time: NOW - 200 } });
  store.apply({ type: 'ticker24h', ticker: { symbol: S, lastPrice: 1e5, priceChangePercent: 0, highPrice: 1e5, lowPrice: 1e5, volume: 1e4, quoteVolume: 1e9, time: NOW - 1_000 } });
  return { venue, store };
});
const snapshots: VenueSnapshot[] = stores.map(({ venue, store }, k) => ({ venue, name: venue.toLowerCase(), primary: k === 0, market: store.get(S), down: null, fundingIntervalHours: 8 }));

function time(label: string, runs: number, fn: () => unknown): number {
  for (let i = 0; i < Math.min(50, runs); i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) fn();
  const us = ((performance.now() - t0) / runs) * 1000;
  return us;
}

const baseline = time('FUNDING', 2_000, () => fundingDefinition.compute(snapshots[0]!.market!, NOW, { fundingHistoryWindow: 90, fundingIntervalHours: () => 8 }));
console.log(`baseline FUNDING (one venue): ${baseline.toFixed(1)} µs per computation`);
const defs = [aggregatedOpenInterestDefinition, aggregatedFundingDefinition, fundingArbitrageDefinition, priceSpreadDefinition, aggregatedCvdDefinition, aggregatedLiquidationCascadesDefinition()];
for (const def of defs) {
  const us = time(def.kind, 300, () => def.compute(S, snapshots, NOW, 30_000));
  console.log(`${def.kind.padEnd(40)} ${us.toFixed(1).padStart(8)} µs  ${(us / baseline).toFixed(1).padStart(6)} × FUNDING`);
}

// The simulated variants: one trade mapped for BYBIT and OKX and applied, against the primary's own apply.
const primary = createMarketStore([S]);
const others = [createMarketStore([S]), createMarketStore([S])];
const variants = [createSimulatedVenueVariant(42, 'BYBIT'), createSimulatedVenueVariant(42, 'OKX')];
let id = 0;
const next = (): MarketEvent => ({ type: 'trade', trade: { symbol: S, id: id++, price: 1e5, qty: 0.1, time: NOW + id, side: 'BUY' } });
const own = time('apply', 200_000, () => primary.apply(next()));
const tee = time('tee', 200_000, () => {
  const e = next();
  for (let i = 0; i < 2; i++) {
    const mapped = variants[i]!(e);
    if (mapped) others[i]!.apply(mapped);
  }
});
console.log(`simulated venues: a trade applied to the primary store ${own.toFixed(2)} µs; mapped and applied for BYBIT + OKX ${tee.toFixed(2)} µs (${(tee / own).toFixed(1)} × the primary apply)`);
