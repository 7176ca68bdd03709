import { describe, expect, it } from 'vitest';
import type { FundingRate } from '../../src/domain/market.js';
import { createMarketModel, createSimulatedSource } from '../../src/datasources/simulated/index.js';
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
