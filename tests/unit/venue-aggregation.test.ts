import { describe, expect, it } from 'vitest';
import { computeAggregatedOpenInterest } from '../../src/analyzers/aggregated-open-interest.js';
import { computeAggregatedFunding } from '../../src/analyzers/aggregated-funding.js';
import { computeFundingArbitrage } from '../../src/analyzers/funding-arbitrage.js';
import { computePriceSpread } from '../../src/analyzers/venue-price-spread.js';
import type { FundingVenueInput } from '../../src/analyzers/venue-aggregation.types.js';

const H = 3_600_000;

describe('computeAggregatedOpenInterest', () => {
  const venues = [
    { venue: 'BINANCE' as const, excluded: null, points: [{ time: 0, oiUsd: 1000 }, { time: H, oiUsd: 1100 }] },
    { venue: 'BYBIT' as const, excluded: null, points: [{ time: H / 2, oiUsd: 500 }, { time: H, oiUsd: 400 }] },
    { venue: 'OKX' as const, excluded: { status: 'STALE' as const, reason: 'open interest from okx-swap last received 300 s ago' }, points: [{ time: 0, oiUsd: 9e9 }] },
  ];
  const a = computeAggregatedOpenInterest({ symbol: 'BTCUSDT', venues, windowsMs: [H, H / 2] });

  it('sums the newest USD open interest of the contributing venues and gives each its share', () => {
    expect(a.totalUsd, '1100 + 400; the stale OKX 9e9 is in no sum').toBe(1500);
    expect(a.contributors).toEqual(['BINANCE', 'BYBIT']);
    expect(a.venues.map((v) => v.share), '1100 / 1500, 400 / 1500').toEqual([1100 / 1500, 400 / 1500]);
    expect(a.excluded, 'the stale venue is listed with its reason').toEqual([{ venue: 'OKX', status: 'STALE', reason: 'open interest from okx-swap last received 300 s ago' }]);
  });

  it('changes per venue from the newest point at or before newest − window', () => {
    const [binance, bybit] = a.venues;
    expect(binance!.changes[0], '1 h: 1000 → 1100 = +100, +10 %').toEqual({ windowMs: H, fromUsd: 1000, changeUsd: 100, changePct: 10 });
    expect(bybit!.changes[0], '1 h: no Bybit point at or before 0').toEqual({ windowMs: H, fromUsd: null, changeUsd: null, changePct: null });
    expect(bybit!.changes[1], '30 min: 500 → 400 = −100, −20 %').toEqual({ windowMs: H / 2, fromUsd: 500, changeUsd: -100, changePct: -20 });
  });

  it('total change sums the venues with both points and names the ones with a shorter history', () => {
    expect(a.changes[0], '1 h: Binance only (1000 → 1100), Bybit incomplete').toEqual({ windowMs: H, fromUsd: 1000, changeUsd: 100, changePct: 10, contributors: ['BINANCE'], incomplete: ['BYBIT'] });
    expect(a.changes[1], '30 min: 1000 + 500 → 1100 + 400: unchanged').toEqual({ windowMs: H / 2, fromUsd: 1500, changeUsd: 0, changePct: 0, contributors: ['BINANCE', 'BYBIT'], incomplete: [] });
  });

  it('a venue without points is MISSING, and a negative value is refused', () => {
    const b = computeAggregatedOpenInterest({ symbol: 'X', venues: [{ venue: 'OKX', excluded: null, points: [] }] });
    expect(b.excluded).toEqual([{ venue: 'OKX', status: 'MISSING', reason: 'no open interest received' }]);
    expect(b.totalUsd, 'nothing contributes: an empty sum, the caller serves NOT_READY').toBe(0);
    expect(() => computeAggregatedOpenInterest({ symbol: 'X', venues: [{ venue: 'OKX', excluded: null, points: [{ time: 0, oiUsd: -1 }] }] })).toThrow(/-1/);
  });
});

const fundingVenues: FundingVenueInput[] = [
  { venue: 'BINANCE', excluded: null, rate: 0.0001, rateKind: 'PREDICTED', fundingIntervalHours: 8, nextFundingTime: 8 * H, oiUsd: 6e9, volume24hUsd: 2e10 },
  { venue: 'BYBIT', excluded: null, rate: 0.00003, rateKind: 'PREDICTED', fundingIntervalHours: 4, nextFundingTime: 4 * H, oiUsd: 3e9, volume24hUsd: 1e10 },
  { venue: 'OKX', excluded: null, rate: -0.00002, rateKind: 'SETTLED', fundingIntervalHours: 1, nextFundingTime: H, oiUsd: 1e9, volume24hUsd: null },
];

describe('computeAggregatedFunding', () => {
  const a = computeAggregatedFunding({ symbol: 'BTCUSDT', venues: fundingVenues });

  it('puts every rate on an 8 h footing and annualises it on its own interval', () => {
    expect(a.venues.map((v) => v.rate8h), '0.0001 × 8/8, 0.00003 × 8/4, −0.00002 × 8/1').toEqual([0.0001, 0.00006, -0.00016]);
    expect(a.venues[0]!.annualizedRate, '0.0001 × 1095').toBeCloseTo(0.1095, 12);
    expect(a.venues[1]!.annualizedRate, '0.00003 × 2190').toBeCloseTo(0.0657, 12);
    expect(a.venues[2]!.annualizedRate, '−0.00002 × 8760').toBeCloseTo(-0.1752, 12);
  });

  it('OI-weights the 8 h rates', () => {
    // weights 6/10, 3/10, 1/10: 0.6 × 0.0001 + 0.3 × 0.00006 + 0.1 × (−0.00016) = 0.000062
    expect(a.oiWeighted.rate8h).toBeCloseTo(0.000062, 15);
    expect(a.oiWeighted.annualizedRate, '0.000062 × 1095').toBeCloseTo(0.06789, 12);
    expect(a.oiWeighted.contributors).toEqual(['BINANCE', 'BYBIT', 'OKX']);
    expect(a.venues.map((v) => v.oiWeight)).toEqual([0.6, 0.3, 0.1]);
  });

  it('volume-weights over the venues with a volume and lists the one without', () => {
    // 2/3 × 0.0001 + 1/3 × 0.00006 = 0.0000866…
    expect(a.volumeWeighted.rate8h).toBeCloseTo(0.26 / 3000, 15);
    expect(a.volumeWeighted.contributors).toEqual(['BINANCE', 'BYBIT']);
    expect(a.volumeWeighted.excluded, 'OKX has no 24 h volume: left out, not weighted 0').toEqual([{ venue: 'OKX', status: 'MISSING', reason: 'no 24 h volume received' }]);
    expect(a.venues[2]!.volumeWeight).toBeNull();
  });

  it('the unweighted mean of the 8 h rates', () => {
    expect(a.mean.rate8h, '(0.0001 + 0.00006 − 0.00016) / 3').toBeCloseTo(0, 15);
  });

  it('an excluded venue is in no average and is listed everywhere', () => {
    const b = computeAggregatedFunding({ symbol: 'BTCUSDT', venues: [fundingVenues[0]!, { ...fundingVenues[1]!, excluded: { status: 'STALE', reason: 'mark price overdue' } }] });
    expect(b.oiWeighted.rate8h, 'Binance alone').toBeCloseTo(0.0001, 15);
    expect(b.oiWeighted.excluded).toEqual([{ venue: 'BYBIT', status: 'STALE', reason: 'mark price overdue' }]);
    expect(b.excluded).toEqual([{ venue: 'BYBIT', status: 'STALE', reason: 'mark price overdue' }]);
  });
});

describe('computeFundingArbitrage', () => {
  const a = computeFundingArbitrage({ symbol: 'BTCUSDT', venues: fundingVenues });

  it('ranks venues by annualised rate and pairs the widest first', () => {
    expect(a.venues.map((v) => v.venue)).toEqual(['BINANCE', 'BYBIT', 'OKX']);
    expect(a.best!.short.venue, 'short where funding is highest').toBe('BINANCE');
    expect(a.best!.long.venue, 'long where it is lowest').toBe('OKX');
    expect(a.best!.spreadAnnualized, '0.1095 − (−0.1752)').toBeCloseTo(0.2847, 12);
    expect(a.best!.spread8h, '0.2847 × 8 / 8760').toBeCloseTo(0.00026, 12);
    expect(a.best!.intervalsDiffer, '8 h against 1 h').toBe(true);
    expect(a.pairs.map((p) => [p.short.venue, p.long.venue, Number(p.spreadAnnualized.toFixed(6))])).toEqual([
      ['BINANCE', 'OKX', 0.2847],
      ['BYBIT', 'OKX', 0.2409],
      ['BINANCE', 'BYBIT', 0.0438],
    ]);
    expect(a.best!.long.nextFundingTime, 'each leg keeps its own next settlement').toBe(H);
  });

  it('no pair with one venue', () => {
    const b = computeFundingArbitrage({ symbol: 'BTCUSDT', venues: [fundingVenues[0]!, { ...fundingVenues[2]!, rate: null }] });
    expect(b.best).toBeNull();
    expect(b.excluded).toEqual([{ venue: 'OKX', status: 'MISSING', reason: 'no funding rate received' }]);
  });
});

describe('computePriceSpread', () => {
  const base = { excluded: null, markPrice: null, indexPrice: null, time: 1 };
  it('deviation from the median, widest gap, and each venue basis', () => {
    const a = computePriceSpread({
      symbol: 'BTCUSDT',
      venues: [
        { ...base, venue: 'BINANCE', price: 100_000, markPrice: 100_010, indexPrice: 100_000 },
        { ...base, venue: 'BYBIT', price: 100_030 },
        { ...base, venue: 'OKX', price: 99_980 },
      ],
    })!;
    expect(a.medianPrice).toBe(100_000);
    expect(a.spread, '100 030 − 99 980').toBe(50);
    expect(a.spreadPct, '50 / 100 000 × 100').toBeCloseTo(0.05, 12);
    expect([a.highest, a.lowest]).toEqual(['BYBIT', 'OKX']);
    expect(a.venues.map((v) => v.deviationFromMedianPct)).toEqual([0, expect.closeTo(0.03, 12), expect.closeTo(-0.02, 12)]);
    expect(a.venues[0]!.basisPct, '(100 010 − 100 000) / 100 000 × 100').toBeCloseTo(0.01, 12);
    expect(a.venues[1]!.basisPct).toBeNull();
  });

  it('one venue: no spread; none: null', () => {
    const a = computePriceSpread({ symbol: 'X', venues: [{ ...base, venue: 'BINANCE', price: 10 }, { ...base, venue: 'OKX', price: null, time: null }] })!;
    expect(a.spread).toBeNull();
    expect(a.excluded).toEqual([{ venue: 'OKX', status: 'MISSING', reason: 'no price received' }]);
    expect(computePriceSpread({ symbol: 'X', venues: [{ ...base, venue: 'OKX', price: null, time: null }] })).toBeNull();
  });
});
