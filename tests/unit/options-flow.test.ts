import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { black76, normCdf, YEAR_MS } from '../../src/math/black76.js';
import { computeOptionsFlow, maxPain, putCallRatios } from '../../src/analyzers/options-flow.js';
import type { OptionsFlowQuote } from '../../src/analyzers/options-flow.types.js';
import { optionInstruments, toOptionQuoteFromTicker } from '../../src/datasources/deribit/deribit-mapper.js';
import { deribitEnvelope, deribitInstrumentListSchema, deribitTickerSchema, type DeribitInstrument } from '../../src/datasources/deribit/schemas.js';
import type { OptionQuote } from '../../src/domain/market.js';

const NOW = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;

function q(kind: 'CALL' | 'PUT', strike: number, over: Partial<OptionsFlowQuote> = {}): OptionsFlowQuote {
  return { kind, strike, expiry: NOW + YEAR_MS, markPriceUsd: 1, markIv: 20, openInterest: 0, volume: 0, underlyingPrice: 100, delta: null, gamma: null, ...over };
}

describe('black76', () => {
  it('matches hand-computed values at the money (F = K = 100, T = 1, σ = 20 %)', () => {
    // d1 = σ√T/2 = 0.1, d2 = −0.1; N(0.1) = 0.539827837; φ(0.1) = 0.396952547.
    const c = black76('CALL', 100, 100, 1, 0.2);
    const p = black76('PUT', 100, 100, 1, 0.2);
    expect(c.price, '100·(N(0.1) − N(−0.1)) = 7.96556746').toBeCloseTo(7.96556746, 7);
    expect(p.price, 'put-call parity at zero rate: C − P = F − K = 0').toBeCloseTo(c.price, 10);
    expect(c.delta, 'N(d1)').toBeCloseTo(0.539827837, 8);
    expect(p.delta, 'N(d1) − 1').toBeCloseTo(-0.460172163, 8);
    expect(c.gamma, 'φ(d1) / (F σ √T) = 0.396952547 / 20').toBeCloseTo(0.0198476274, 9);
    expect(p.gamma, 'calls and puts share gamma').toBe(c.gamma);
  });

  it('matches Hull\'s Black-76 example (F = 20, K = 20, T = 4/12, σ = 25 %, undiscounted)', () => {
    // Hull, Options Futures and Other Derivatives, ex. 18.x: discounted price 1.12 at r = 9 %: 1.12 / e^(−0.03) = 1.1541.
    expect(black76('PUT', 20, 20, 4 / 12, 0.25).price * Math.exp(-0.09 * (4 / 12))).toBeCloseTo(1.12, 2);
  });

  it('has a double-precision normal CDF and rejects non-positive inputs quoting them', () => {
    expect(normCdf(1.959963985), '97.5 % quantile').toBeCloseTo(0.975, 9);
    expect(() => black76('CALL', 100, 100, 0, 0.2)).toThrow(/T=0/);
  });
});

describe('max pain and put/call ratios on a hand-made chain', () => {
  // Calls 90/100/110 with OI 10/20/30; puts 90/100/110 with OI 30/20/5.
  const chain = [
    q('CALL', 90, { openInterest: 10, volume: 4, markPriceUsd: 12 }),
    q('CALL', 100, { openInterest: 20, volume: 6, markPriceUsd: 8 }),
    q('CALL', 110, { openInterest: 30, volume: 10, markPriceUsd: 4 }),
    q('PUT', 90, { openInterest: 30, volume: 9, markPriceUsd: 3 }),
    q('PUT', 100, { openInterest: 20, volume: 3, markPriceUsd: 8 }),
    q('PUT', 110, { openInterest: 5, volume: 0, markPriceUsd: 14 }),
  ];

  it('picks the strike paying holders the least', () => {
    // At 90: puts 100 (20·10) + 110 (5·20) = 300. At 100: call 90 (10·10) + put 110 (5·10) = 150.
    // At 110: calls 90 (10·20) + 100 (20·10) = 400.
    expect(maxPain(chain), 'payouts 300 / 150 / 400').toEqual({ strike: 100, payoutUsd: 150 });
    expect(maxPain(chain, 0.1)!.payoutUsd, 'contract size scales the USD payout').toBeCloseTo(15, 12);
  });

  it('divides puts by calls, by open interest and by volume', () => {
    const pc = putCallRatios(chain);
    expect(pc.openInterestRatio, 'put OI 55 / call OI 60').toBeCloseTo(55 / 60, 12);
    expect(pc.volumeRatio, 'put volume 12 / call volume 20').toBeCloseTo(0.6, 12);
    expect(pc.callPremiumVolumeUsd, '4·12 + 6·8 + 10·4').toBe(136);
    expect(pc.putPremiumVolumeUsd, '9·3 + 3·8').toBe(51);
    expect(putCallRatios([q('PUT', 100, { openInterest: 1 })]).openInterestRatio, 'no calls: undefined ratio, not infinity').toBeNull();
  });

  it('reports max pain per expiry in the full analysis', () => {
    const a = computeOptionsFlow({ currency: 'BTC', indexPrice: 100, quotes: chain, now: NOW, dealerPositioning: 'LONG_CALLS_SHORT_PUTS' });
    expect(a.warmingUp).toBe(false);
    expect(a.expiries).toHaveLength(1);
    expect(a.expiries[0]!.maxPain).toBe(100);
    expect(a.expiries[0]!.maxPainDistancePct, 'max pain equals spot').toBeCloseTo(0, 12);
    expect(a.expiries[0]!.daysToExpiry).toBeCloseTo(365, 9);
  });
});

describe('gamma exposure sign convention', () => {
  // One ATM call (OI 10) and one ATM put (OI 4), F = S = 100, T = 1 y, IV 20 %: each Γ = 0.0198476274 per USD.
  const chain = [q('CALL', 100, { openInterest: 10 }), q('PUT', 100, { openInterest: 4 })];
  const gexOf = (dealerPositioning: 'LONG_CALLS_SHORT_PUTS' | 'SHORT_CALLS_LONG_PUTS' | 'SHORT_ALL' | 'LONG_ALL') =>
    computeOptionsFlow({ currency: 'BTC', indexPrice: 100, quotes: chain, now: NOW, dealerPositioning }).gex;

  it('signs calls + and puts − under the default (dealers long calls, short puts), in USD per 1 % move', () => {
    const g = gexOf('LONG_CALLS_SHORT_PUTS');
    // (10 − 4) · 0.0198476274 · 100² · 0.01 = 11.9085764.
    expect(g.totalUsd, '(OI_call − OI_put) · Γ · S² · 1 %').toBeCloseTo(11.9085764, 6);
    expect(g.grossUsd, '(10 + 4) · Γ · S² · 1 %').toBeCloseTo(27.7866784, 6);
    expect(g.byStrike).toEqual([
      expect.objectContaining({ strike: 100, callOpenInterest: 10, putOpenInterest: 4 }),
    ]);
    expect(g.byStrike[0]!.callGexUsd).toBeCloseTo(19.8476274, 6);
    expect(g.byStrike[0]!.putGexUsd).toBeCloseTo(-7.93905096, 6);
    expect(g.greeksComputed, 'both greeks from the mark IV').toBe(2);
  });

  it('mirrors under the other conventions', () => {
    expect(gexOf('SHORT_CALLS_LONG_PUTS').totalUsd).toBeCloseTo(-11.9085764, 6);
    expect(gexOf('SHORT_ALL').totalUsd, 'dealers short 14 options').toBeCloseTo(-27.7866784, 6);
    expect(gexOf('LONG_ALL').totalUsd).toBeCloseTo(27.7866784, 6);
  });

  it('falls back to the quote\'s own gamma only when it has no IV', () => {
    const g = computeOptionsFlow({
      currency: 'BTC',
      indexPrice: 100,
      quotes: [q('CALL', 100, { openInterest: 10, markIv: null, gamma: 0.02 }), q('PUT', 100, { openInterest: 1, markIv: null })],
      now: NOW,
      dealerPositioning: 'LONG_CALLS_SHORT_PUTS',
    }).gex;
    expect(g.totalUsd, '0.02 · 10 · 100² · 1 %').toBeCloseTo(20, 12);
    expect(g.greeksComputed).toBe(0);
    expect(g.quotesWithoutGamma, 'the put has neither IV nor gamma').toBe(1);
  });

  it('finds the zero-gamma level between a put-heavy lower strike and a call-heavy upper one', () => {
    const twoSided = [q('PUT', 90, { openInterest: 10, underlyingPrice: 100 }), q('CALL', 110, { openInterest: 10, underlyingPrice: 100 })];
    const short = computeOptionsFlow({ currency: 'BTC', indexPrice: 100, quotes: twoSided, now: NOW, dealerPositioning: 'LONG_CALLS_SHORT_PUTS' }).gex;
    // Symmetric strikes in log space are not symmetric in gamma·S², so only bracket it.
    expect(short.zeroGammaLevel!, 'the flip lies between the put and the call strikes').toBeGreaterThan(90);
    expect(short.zeroGammaLevel!).toBeLessThan(110);
    // Re-running the analysis with spot (and the forward) at the flip gives zero total GEX, up to the grid's linear interpolation.
    const z = short.zeroGammaLevel!;
    const atFlip = computeOptionsFlow({
      currency: 'BTC',
      indexPrice: z,
      quotes: twoSided.map((x) => ({ ...x, underlyingPrice: z })),
      now: NOW,
      dealerPositioning: 'LONG_CALLS_SHORT_PUTS',
    }).gex;
    expect(Math.abs(atFlip.totalUsd) / atFlip.grossUsd, 'total GEX vanishes at the flip').toBeLessThan(1e-3);
    expect(short.callWall).toBe(110);
    expect(short.putWall).toBe(90);
    const long = computeOptionsFlow({ currency: 'BTC', indexPrice: 100, quotes: twoSided, now: NOW, dealerPositioning: 'LONG_ALL' }).gex;
    expect(long.zeroGammaLevel, 'dealers long everything: GEX never changes sign').toBeNull();
  });
});

describe('skew and term structure', () => {
  // Strikes 40..250 on F = 100, T = 1 y; calls at 50 % IV, puts at 60 % IV everywhere.
  const strikes = [40, 50, 60, 70, 80, 90, 100, 110, 125, 150, 175, 200, 250];
  const split = strikes.flatMap((K) => [q('CALL', K, { markIv: 50, openInterest: 1 }), q('PUT', K, { markIv: 60, openInterest: 1 })]);

  it('reads the 25-delta risk reversal and butterfly off a constructed smile', () => {
    const e = computeOptionsFlow({ currency: 'BTC', indexPrice: 100, quotes: split, now: NOW, dealerPositioning: 'LONG_CALLS_SHORT_PUTS' }).expiries[0]!;
    expect(e.iv25Call, 'every call is at 50 %').toBeCloseTo(50, 12);
    expect(e.iv25Put, 'every put is at 60 %').toBeCloseTo(60, 12);
    expect(e.riskReversal25, '50 − 60').toBeCloseTo(-10, 12);
    expect(e.atmIv, 'K = F = 100 is quoted; the OTM side at K ≥ F is the call').toBeCloseTo(50, 12);
    expect(e.butterfly25, '(50 + 60)/2 − 50').toBeCloseTo(5, 12);
    expect(e.note).toBe('complete');
  });

  it('interpolates the 25-delta IV on a smooth skewed smile', () => {
    // IV(K) = 60 − 20·ln(K/100) (percent), the same for calls and puts.
    const iv = (K: number) => 60 - 20 * Math.log(K / 100);
    const dense = Array.from({ length: 61 }, (_, i) => 40 + i * 4).flatMap((K) => [
      q('CALL', K, { markIv: iv(K), openInterest: 1 }),
      q('PUT', K, { markIv: iv(K), openInterest: 1 }),
    ]);
    const e = computeOptionsFlow({ currency: 'BTC', indexPrice: 100, quotes: dense, now: NOW, dealerPositioning: 'LONG_CALLS_SHORT_PUTS' }).expiries[0]!;
    // Exact 25Δ strikes by bisection on the same smile.
    const strikeAt = (kind: 'CALL' | 'PUT', target: number) => {
      let lo = 40;
      let hi = 280;
      for (let i = 0; i < 100; i++) {
        const mid = (lo + hi) / 2;
        const d = black76(kind, 100, mid, 1, iv(mid) / 100).delta;
        if (d > target) lo = mid;
        else hi = mid;
      }
      return (lo + hi) / 2;
    };
    const rr = iv(strikeAt('CALL', 0.25)) - iv(strikeAt('PUT', -0.25));
    expect(rr, 'a downward-sloping smile makes puts richer').toBeLessThan(0);
    expect(e.riskReversal25!, 'linear-in-delta interpolation on 4-wide strikes lands within 0.1 vol point').toBeCloseTo(rr, 1);
    expect(e.atmIv, 'IV(100) = 60').toBeCloseTo(60, 12);
  });

  it('says when the strikes do not reach 25 delta', () => {
    const narrow = [95, 100, 105].flatMap((K) => [q('CALL', K, { openInterest: 1 }), q('PUT', K, { openInterest: 1 })]);
    const e = computeOptionsFlow({ currency: 'BTC', indexPrice: 100, quotes: narrow, now: NOW, dealerPositioning: 'LONG_CALLS_SHORT_PUTS' }).expiries[0]!;
    expect(e.riskReversal25).toBeNull();
    expect(e.butterfly25).toBeNull();
    expect(e.note).toContain('25-delta call and put IV unavailable: the listed strikes do not bracket that delta');
  });

  it('classifies rising ATM IV with expiry as contango and falling as backwardation', () => {
    const expiry = (days: number, ivPct: number) => [q('CALL', 100, { expiry: NOW + days * DAY, markIv: ivPct, openInterest: 1 }), q('PUT', 100, { expiry: NOW + days * DAY, markIv: ivPct, openInterest: 1 })];
    const run = (quotes: OptionsFlowQuote[]) => computeOptionsFlow({ currency: 'BTC', indexPrice: 100, quotes, now: NOW, dealerPositioning: 'LONG_CALLS_SHORT_PUTS' }).termStructure;
    const up = run([...expiry(0.5, 90), ...expiry(7, 50), ...expiry(60, 60)]);
    expect(up.shape, 'front (≥ 1 day) 50 → back 60').toBe('CONTANGO');
    expect(up.slope).toBeCloseTo(10, 12);
    expect(up.frontExpiry, 'the 12-hour expiry is below minTermDays').toBe(NOW + 7 * DAY);
    expect(run([...expiry(7, 80), ...expiry(60, 60)]).shape).toBe('BACKWARDATION');
    expect(run([...expiry(7, 60), ...expiry(60, 60.5)]).shape, 'within ±1 vol point').toBe('FLAT');
    expect(run(expiry(7, 60)).shape, 'one expiry has no slope').toBeNull();
  });
});

describe('gamma squeeze', () => {
  it('fires on dealer short gamma, spot under a call wall and heavy call turnover, with its factors', () => {
    // Dealers short calls: a big 105 call position at spot 102, calls turning over 10× faster than puts.
    const chain = [
      q('CALL', 105, { openInterest: 1_000, volume: 1_000, underlyingPrice: 102 }),
      q('PUT', 95, { openInterest: 100, volume: 10, underlyingPrice: 102 }),
    ];
    const a = computeOptionsFlow({ currency: 'BTC', indexPrice: 102, quotes: chain, now: NOW, dealerPositioning: 'SHORT_CALLS_LONG_PUTS' });
    const s = a.gammaSqueeze;
    expect(a.gex.totalUsd, 'dealers short the big call position').toBeLessThan(0);
    expect(a.gex.callWall).toBe(105);
    const f = Object.fromEntries(s.factors.map((x) => [x.name, x]));
    expect(f.callWallProximity!.value, '105/102 − 1 in percent').toBeCloseTo((105 / 102 - 1) * 100, 9);
    expect(f.callWallProximity!.contribution, '0.35 · (1 − 2.941/5)').toBeCloseTo(0.35 * (1 - (105 / 102 - 1) * 100 / 5), 9);
    expect(f.callFlow!.value, 'call turnover 1.0 / put turnover 0.1').toBeCloseTo(10, 9);
    expect(f.callFlow!.contribution, 'capped at its weight').toBeCloseTo(0.25, 12);
    expect(s.confidence, 'Σ contributions').toBeCloseTo(s.factors.reduce((x, y) => x + y.contribution, 0), 12);
    expect(s.factors.reduce((x, y) => x + y.weight, 0), 'weights sum to 1').toBeCloseTo(1, 12);
    expect(s.detected).toBe(true);
    expect(a.factors).toEqual(s.factors);

    const calm = computeOptionsFlow({ currency: 'BTC', indexPrice: 102, quotes: chain, now: NOW, dealerPositioning: 'LONG_CALLS_SHORT_PUTS' }).gammaSqueeze;
    expect(calm.detected, 'dealers long the calls: no squeeze').toBe(false);
  });
});

describe('preconditions and warming up', () => {
  it('returns warmingUp with nulls for a chain without open interest or only expired options', () => {
    const a = computeOptionsFlow({ currency: 'ETH', indexPrice: 3000, quotes: [q('CALL', 100, { expiry: NOW - 1, openInterest: 5 })], now: NOW, dealerPositioning: 'LONG_CALLS_SHORT_PUTS' });
    expect(a.warmingUp).toBe(true);
    expect(a.expiries).toEqual([]);
    expect(a.gex.zeroGammaLevel).toBeNull();
    expect(a.putCall.openInterestRatio).toBeNull();
    expect(a.termStructure.shape).toBeNull();
  });

  it('throws on invalid inputs, quoting the value', () => {
    const base = { currency: 'BTC', indexPrice: 100, quotes: [], now: NOW, dealerPositioning: 'LONG_CALLS_SHORT_PUTS' } as const;
    expect(() => computeOptionsFlow({ ...base, now: Number.NaN })).toThrow(/NaN/);
    expect(() => computeOptionsFlow({ ...base, indexPrice: -1 })).toThrow(/-1/);
    expect(() => computeOptionsFlow({ ...base, thresholds: { squeezeWallWindowPct: 0 } })).toThrow(/squeezeWallWindowPct.*0/);
  });
});

// --- Real data: the recorded Deribit tickers of 2021-07-22 ---

const INSTRUMENTS_FILE = '../shared/data/deribit/cryptofeed-2021-07-22/DERIBIT.0.txt';
const TICKERS_FILE = '../shared/data/deribit/cryptofeed-2021-07-22/DERIBIT.ws.1.0.txt';

describe.skipIf(!existsSync(INSTRUMENTS_FILE) || !existsSync(TICKERS_FILE))('recorded Deribit option tickers (cryptofeed 2021-07-22)', () => {
  if (!existsSync(INSTRUMENTS_FILE) || !existsSync(TICKERS_FILE)) return;
  const instruments = new Map<string, DeribitInstrument>();
  for (const currency of ['BTC', 'ETH']) {
    const line = readFileSync(INSTRUMENTS_FILE, 'utf8').split('\n').find((l) => l.includes(`get_instruments?currency=${currency}&`))!;
    for (const [name, i] of optionInstruments(deribitEnvelope(deribitInstrumentListSchema).parse(JSON.parse(line.slice(line.indexOf('{')))).result!)) instruments.set(name, i);
  }
  // The last ticker of each instrument is its state at the end of the recording.
  const latest = new Map<string, { quote: OptionQuote; time: number; index: number }>();
  for (const l of readFileSync(TICKERS_FILE, 'utf8').split('\n')) {
    if (!l.includes('"channel":"ticker.')) continue;
    const ticker = deribitTickerSchema.parse((JSON.parse(l.slice(l.indexOf('{'))) as { params: { data: unknown } }).params.data);
    const instrument = instruments.get(ticker.instrument_name);
    if (instrument) latest.set(ticker.instrument_name, { quote: toOptionQuoteFromTicker(ticker, instrument), time: ticker.timestamp, index: ticker.index_price });
  }
  const chainOf = (currency: string) => {
    const rows = [...latest.values()].filter((r) => r.quote.currency === currency);
    return { quotes: rows.map((r) => r.quote), now: Math.max(...rows.map((r) => r.time)), index: rows.at(-1)!.index };
  };

  it('builds BTC and ETH chains from the 10 recorded tickers', () => {
    expect(latest.size).toBe(10);
  });

  for (const currency of ['BTC', 'ETH']) {
    it(`analyses the ${currency} chain with values in sane ranges`, () => {
      const c = chainOf(currency);
      const a = computeOptionsFlow({ currency, indexPrice: c.index, quotes: c.quotes, now: c.now, dealerPositioning: 'LONG_CALLS_SHORT_PUTS' });
      expect(a.warmingUp).toBe(false);
      expect(a.spot, `${currency} index in July 2021`).toBeGreaterThan(currency === 'BTC' ? 25_000 : 1_500);
      expect(a.spot).toBeLessThan(currency === 'BTC' ? 40_000 : 2_500);
      expect(a.gex.greeksComputed, 'every recorded ticker carries a mark IV').toBe(c.quotes.length);
      for (const q of c.quotes) {
        // Our Black-76 greeks agree with Deribit's own (rounded to 5 decimals) on the recorded tickers.
        const T = (q.expiry - c.now) / YEAR_MS;
        const g = black76(q.kind, q.underlyingPrice, q.strike, T, q.markIv! / 100);
        expect(Math.abs(g.delta - q.delta!), `${q.instrument} delta vs Deribit's`).toBeLessThan(0.01);
        expect(Math.abs(g.gamma - q.gamma!), `${q.instrument} gamma vs Deribit's (5 decimals)`).toBeLessThan(2e-5);
        // And the mark price (coin) × forward is the Black-76 price at the mark IV.
        expect(Math.abs(g.price - q.markPriceUsd) / q.underlyingPrice, `${q.instrument} price`).toBeLessThan(0.002);
      }
      for (const e of a.expiries) {
        expect(e.daysToExpiry).toBeGreaterThan(0);
        expect(e.daysToExpiry).toBeLessThan(400);
        if (e.maxPain !== null) expect(c.quotes.some((q) => q.strike === e.maxPain), 'max pain is a listed strike').toBe(true);
        if (e.putCall.openInterestRatio !== null) expect(e.putCall.openInterestRatio).toBeGreaterThanOrEqual(0);
      }
      for (const e of a.expiries) if (e.atmIv !== null) expect(e.atmIv, 'mid-2021 crypto ATM IV, percent').toBeGreaterThan(30);
      for (const e of a.expiries) if (e.atmIv !== null) expect(e.atmIv).toBeLessThan(200);
      expect(Number.isFinite(a.gex.totalUsd)).toBe(true);
      expect(Math.abs(a.gex.totalUsd)).toBeLessThanOrEqual(a.gex.grossUsd);
      expect(a.gammaSqueeze.confidence).toBeGreaterThanOrEqual(0);
      expect(a.gammaSqueeze.confidence).toBeLessThanOrEqual(1);
      // Ten tickers are a sparse chain: what cannot be measured is null with its reason, never invented.
      for (const e of a.expiries) if (e.riskReversal25 === null) expect(e.note).toMatch(/unavailable/);
      expect(a.expiries.every((e) => e.riskReversal25 === null), 'no recorded expiry has strikes on both sides of 25 delta').toBe(true);
    });
  }
});
