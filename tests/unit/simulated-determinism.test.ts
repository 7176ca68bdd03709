import { describe, expect, it } from 'vitest';
import type { Candle, CandleInterval, FundingRate, Trade } from '../../src/domain/market.js';
import { createMarketModel, createSimulatedSource } from '../../src/datasources/simulated/index.js';
import { generateHistory } from '../../src/datasources/simulated/history.js';
import { settledFundingRate } from '../../src/datasources/simulated/generators/settled-funding.js';

const H8 = 8 * 3_600_000;
/** 2026-03-02 00:00 UTC: a settlement. */
const BOUNDARY = Date.UTC(2026, 2, 2);

async function fundingFrom(seed: number, startedAt: number): Promise<FundingRate[]> {
  const source = createSimulatedSource({ seed, tickMs: 1_000, now: () => startedAt, candleHistoryCount: 10 });
  return source.fetchFundingHistory('BTCUSDT', 90);
}

describe('simulated history is a function of (seed, time)', () => {
  it('two runs with the same seed, started 22 minutes and 3 days apart, settle the same funding for every shared settlement', async () => {
    const a = await fundingFrom(7, BOUNDARY + 3 * 3_600_000);
    const b = await fundingFrom(7, BOUNDARY + 3 * 3_600_000 + 22 * 60_000);
    const c = await fundingFrom(7, BOUNDARY + 3 * 86_400_000 + 5 * 3_600_000);
    const byTime = (list: FundingRate[]) => new Map(list.map((f) => [f.fundingTime, f.rate]));
    const [ma, mb, mc] = [byTime(a), byTime(b), byTime(c)];
    expect(a.at(-1)!.fundingTime, 'last settlement at 00:00').toBe(BOUNDARY);
    for (const [time, rate] of ma) expect(mb.get(time), `22 min later, settlement ${new Date(time).toISOString()}`).toBe(rate);
    const shared = [...ma.keys()].filter((t) => mc.has(t));
    expect(shared.length, '90 settlements, 9 newer in the later run: 81 shared').toBe(81);
    for (const time of shared) expect(mc.get(time), `3 days later, settlement ${new Date(time).toISOString()}`).toBe(ma.get(time));
    expect(new Set(a.map((f) => f.rate)).size, 'the rates vary from settlement to settlement').toBeGreaterThan(60);
    const other = await fundingFrom(8, BOUNDARY + 3 * 3_600_000);
    expect(other.some((f, i) => f.rate !== a[i]!.rate), 'another seed is another market').toBe(true);
  });

  it('the live model settles the rate a run started after the settlement backfills', async () => {
    const model = createMarketModel({ seed: 7, symbols: ['BTCUSDT'], startTime: BOUNDARY + H8 - 5_000, marketWide: false, tradeRateScale: 0.05 });
    const settled = model.step(10_000).flatMap((e) => (e.type === 'funding' ? [e.funding] : []));
    expect(settled.map((f) => f.fundingTime), 'one settlement, at 08:00').toEqual([BOUNDARY + H8]);
    const later = await fundingFrom(7, BOUNDARY + H8 + 3_600_000);
    expect(later.at(-1)!.fundingTime).toBe(BOUNDARY + H8);
    expect(settled[0]!.rate, 'live settlement = backfilled settlement of a later run').toBe(later.at(-1)!.rate);
    expect(settled[0]!.rate).toBe(settledFundingRate(7, 'BTCUSDT', BOUNDARY + H8));
  });
});

const INTERVALS: readonly CandleInterval[] = ['1m', '5m', '15m', '1h', '4h', '1d', '1w'];
/** Monday 2026-03-02 03:00:17 UTC. */
const T = BOUNDARY + 3 * 3_600_000 + 17_000;
const MIN = 60_000;

function closedByTime(list: readonly Candle[]): Map<number, Candle> {
  return new Map(list.map((c) => [c.openTime, c]));
}

describe('simulated candles and trades are a function of (seed, symbol, time)', () => {
  it('two runs started 22 minutes and 3 days apart backfill identical bars for every shared interval and minute', () => {
    for (const symbol of ['BTCUSDT', 'SOLUSDT']) {
      const a = generateHistory({ seed: 7, symbol, startTime: T });
      const b = generateHistory({ seed: 7, symbol, startTime: T + 22 * MIN });
      const c = generateHistory({ seed: 7, symbol, startTime: T + 3 * 86_400_000 + 5 * 3_600_000 });
      for (const interval of INTERVALS) {
        const mine = a.candles.get(interval)!;
        for (const [label, other, least] of [
          ['22 min later', b, interval === '1m' ? 470 : interval === '1w' ? 199 : 490],
          ['3 days later', c, interval === '1d' ? 490 : interval === '1w' ? 199 : interval === '4h' ? 470 : interval === '1h' ? 420 : 0],
        ] as const) {
          const theirs = closedByTime(other.candles.get(interval)!);
          let shared = 0;
          for (const candle of mine) {
            const twin = theirs.get(candle.openTime);
            if (!twin) continue;
            shared++;
            expect(twin, `${symbol} ${interval} ${new Date(candle.openTime).toISOString()} ${label}`).toEqual(candle);
          }
          expect(shared, `${symbol} ${interval} bars shared ${label}`).toBeGreaterThanOrEqual(least);
        }
      }
      const other = generateHistory({ seed: 8, symbol, startTime: T });
      expect(other.candles.get('1m')!.some((x, i) => x.close !== a.candles.get('1m')![i]!.close), 'another seed is another market').toBe(true);
    }
  });

  it('bars formed live are the bars a run started later backfills for those minutes (1m to 1h)', () => {
    const start = T + 37 * MIN + 450; // 03:37:17.450: the run crosses 04:00 (1h and 4h bars close)
    const model = createMarketModel({ seed: 7, symbols: ['BTCUSDT', 'ETHUSDT'], startTime: start, tradeRateScale: 0.1 });
    const live: Candle[] = [];
    for (let i = 0; i < 2_000; i++) for (const e of model.step(i % 3 === 0 ? 1_700 : 650)) if (e.type === 'candle' && e.candle.closed) live.push(e.candle);
    const later = { BTCUSDT: generateHistory({ seed: 7, symbol: 'BTCUSDT', startTime: model.time + 5 * MIN }), ETHUSDT: generateHistory({ seed: 7, symbol: 'ETHUSDT', startTime: model.time + 5 * MIN }) };
    const counts: Record<string, number> = {};
    for (const candle of live) {
      const twin = closedByTime(later[candle.symbol as 'BTCUSDT' | 'ETHUSDT'].candles.get(candle.interval)!).get(candle.openTime);
      expect(twin, `${candle.symbol} ${candle.interval} ${new Date(candle.openTime).toISOString()} backfilled later`).toEqual(candle);
      counts[candle.interval] = (counts[candle.interval] ?? 0) + 1;
    }
    // 2 000 s from 03:37:17.450 to 04:10:37.450, the first (partial) bars included: their minutes before the start
    // come from the same minute bars.
    expect(counts).toEqual({ '1m': 2 * 33, '5m': 2 * 7, '15m': 2 * 2, '1h': 2, '4h': 2 });
    // The forming bars the model starts from are the backfill's.
    const at = generateHistory({ seed: 7, symbol: 'BTCUSDT', startTime: start });
    const fresh = createMarketModel({ seed: 7, symbols: ['BTCUSDT'], startTime: start, marketWide: false });
    for (const forming of at.forming) expect(fresh.formingCandle('BTCUSDT', forming.interval), forming.interval).toEqual(forming);
  });

  it('two live runs started 22 minutes apart print the same trades over the minutes they share', () => {
    const startA = T + 2 * MIN;
    const startB = startA + 22 * MIN + 350;
    const end = startB + 3 * MIN;
    const tape = (start: number): Trade[] => {
      const model = createMarketModel({ seed: 7, symbols: ['BTCUSDT'], startTime: start, marketWide: false, intervals: [] });
      const out: Trade[] = [];
      while (model.time < end) for (const e of model.step(Math.min(5_000, end - model.time))) if (e.type === 'trade') out.push(e.trade);
      return out;
    };
    const a = tape(startA).filter((t) => t.time >= startB);
    const b = tape(startB);
    expect(b.length, 'about 3 minutes of BTC trades').toBeGreaterThan(500);
    expect(b).toEqual(a);
  });
});
