import { describe, expect, it } from 'vitest';
import {
  BINANCE_BUDGET_SHARE,
  BINANCE_FUTURES_LIMITS,
  BINANCE_SPOT_LIMITS,
  DEFAULT_STATS_POLL_MS,
  binancePollSchedule,
  klinesWeight,
  premiumIndexPerSymbol,
  steadyStateUsage,
  ticker24hPerSymbol,
  type GroupUsage,
} from '../../src/datasources/binance/binance-limits.js';
import { createRateBudget } from '../../src/datasources/http.js';

const usageOf = (usage: GroupUsage[], client: 'futures' | 'spot', group: string) => usage.find((u) => u.client === client && u.group === group)!;

describe('steady-state polling schedule for the default 3 symbols', () => {
  const plan = { symbols: 3, pollMs: 3_000, statsPollMs: DEFAULT_STATS_POLL_MS, streaming: false, spot: true };

  it('spends 73.2 weight per minute without a stream: 3 % of 2400, an eighth of our 600 budget', () => {
    const usage = steadyStateUsage(binancePollSchedule(plan));
    const weight = usageOf(usage, 'futures', 'weight');
    // premiumIndex 3 × 20 polls/min = 60; openInterest 3; ticker 3; /futures/data 15 per 5 min = 3;
    // fundingRate worst case 3 symbols × 7 checks per 5 min = 4.2. Total 73.2.
    expect(weight.perWindow, 'hand-computed weight per minute').toBeCloseTo(73.2, 9);
    expect(weight.fraction, '73.2 / 2400').toBeCloseTo(0.0305, 9);
  });

  it('spends 13.2 weight per minute while the stream carries mark prices', () => {
    const usage = steadyStateUsage(binancePollSchedule({ ...plan, streaming: true }));
    expect(usageOf(usage, 'futures', 'weight').perWindow, '73.2 minus the 60 of premiumIndex').toBeCloseTo(13.2, 9);
  });

  it('stays within 25 % of every published limit, in every group and on both venues', () => {
    for (const streaming of [false, true]) {
      const usage = steadyStateUsage(binancePollSchedule({ ...plan, streaming }));
      expect(usage.map((u) => `${u.client}/${u.group}`).sort()).toEqual(['futures/funding', 'futures/futuresData', 'futures/weight', 'spot/weight']);
      for (const u of usage) expect(u.fraction, `${u.client}/${u.group}: ${u.perWindow} of ${u.limit} (streaming ${streaming})`).toBeLessThanOrEqual(BINANCE_BUDGET_SHARE);
    }
    const usage = steadyStateUsage(binancePollSchedule(plan));
    expect(usageOf(usage, 'futures', 'futuresData').perWindow, '5 requests × 3 symbols every 5 min, of 1000 / 5 min').toBe(15);
    expect(usageOf(usage, 'futures', 'funding').perWindow, '7 checks × 3 symbols, of 500 / 5 min').toBe(21);
    expect(usageOf(usage, 'spot', 'weight').perWindow, 'one batched ticker/price (weight 4) per minute, of 6000').toBe(4);
  });

  it('keeps within 25 % up to 10 symbols without a stream (premiumIndex switches to the all-symbols form)', () => {
    for (let n = 1; n <= 10; n++) {
      const usage = steadyStateUsage(binancePollSchedule({ ...plan, symbols: n }));
      for (const u of usage) expect(u.fraction, `${n} symbols, ${u.client}/${u.group}`).toBeLessThanOrEqual(BINANCE_BUDGET_SHARE);
    }
    expect(premiumIndexPerSymbol(9), '9 × 1 < 10').toBe(true);
    expect(premiumIndexPerSymbol(10), '10 × 1 is not cheaper than 10').toBe(false);
    expect(ticker24hPerSymbol(39)).toBe(true);
    expect(ticker24hPerSymbol(40)).toBe(false);
  });

  it('derives the budgets from the published limits', () => {
    const budget = createRateBudget({ ...BINANCE_FUTURES_LIMITS, spot: BINANCE_SPOT_LIMITS.weight });
    expect(budget.budgetOf('weight'), '2400 × 25 %').toBe(600);
    expect(budget.budgetOf('funding'), '500 × 25 %').toBe(125);
    expect(budget.budgetOf('futuresData'), '1000 × 25 %').toBe(250);
    expect(budget.budgetOf('spot'), '6000 × 25 %').toBe(1500);
  });

  it('weighs klines by limit as Binance documents', () => {
    expect([1, 99, 100, 499, 500, 1000, 1001, 1500].map(klinesWeight)).toEqual([1, 1, 2, 2, 5, 5, 10, 10]);
    expect(klinesWeight(), 'default limit 500').toBe(5);
  });
});

describe('createRateBudget', () => {
  function clock(start = 0) {
    let t = start;
    return { now: () => t, advance: (ms: number) => void (t += ms), set: (ms: number) => void (t = ms) };
  }

  it('admits up to the budget, then says how long until the oldest charge leaves the window', () => {
    const c = clock(1_000);
    const budget = createRateBudget({ weight: { limit: 40, windowMs: 60_000 } }, c.now); // budget 10
    for (let i = 0; i < 5; i++) {
      expect(budget.delayFor([['weight', 2]])).toBe(0);
      budget.charge([['weight', 2]]);
      c.advance(1_000);
    }
    // Charges at 1000, 2000, ... 5000; now 6000. The 1000 one leaves the window after 61000.
    expect(budget.delayFor([['weight', 1]]), 'full: wait until 61000 + 1').toBe(61_001 - 6_000);
    c.set(61_001);
    expect(budget.delayFor([['weight', 2]]), 'one charge of 2 has left').toBe(0);
    expect(budget.delayFor([['weight', 11]]), 'more than the whole budget never fits').toBe(Number.POSITIVE_INFINITY);
  });

  it('honours the venue-reported count for the current fixed window', () => {
    const c = clock(125_000);
    const budget = createRateBudget({ weight: { limit: 2400, windowMs: 60_000 } }, c.now);
    budget.report('weight', 595); // e.g. other processes on the same IP
    expect(budget.delayFor([['weight', 5]]), '595 + 5 = 600 fits').toBe(0);
    expect(budget.delayFor([['weight', 6]]), 'wait for the next minute (180000 - 125000)').toBe(55_000);
    c.set(180_000);
    expect(budget.delayFor([['weight', 6]]), 'a report from the previous minute no longer counts').toBe(0);
  });

  it('charges every group named, and waits for the slowest', () => {
    const c = clock(0);
    const budget = createRateBudget({ weight: { limit: 2400, windowMs: 60_000 }, futuresData: { limit: 8, windowMs: 300_000 } }, c.now); // 600, 2
    budget.charge([['weight', 1], ['futuresData', 1]]);
    budget.charge([['weight', 1], ['futuresData', 1]]);
    c.advance(10_000);
    expect(budget.delayFor([['weight', 1]]), 'weight alone is fine').toBe(0);
    expect(budget.delayFor([['weight', 1], ['futuresData', 1]]), 'futuresData is spent until 300001').toBe(290_001);
    expect(budget.usage()).toEqual([
      { group: 'weight', limit: 2400, windowMs: 60_000, budget: 600, used: 2, reported: null },
      { group: 'futuresData', limit: 8, windowMs: 300_000, budget: 2, used: 2, reported: null },
    ]);
  });

  it('never exceeds the budget in any window under a random load that waits when told to', () => {
    const c = clock(0);
    const budget = createRateBudget({ weight: { limit: 400, windowMs: 60_000 } }, c.now); // 100
    const charged: Array<{ at: number; cost: number }> = [];
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    while (c.now() < 30 * 60_000) {
      const cost = 1 + Math.floor(random() * 10);
      const delay = budget.delayFor([['weight', cost]]);
      if (delay > 0) c.advance(delay);
      expect(budget.delayFor([['weight', cost]]), 'admitted after the wait it asked for').toBe(0);
      budget.charge([['weight', cost]]);
      charged.push({ at: c.now(), cost });
      c.advance(Math.floor(random() * 2_000));
    }
    expect(charged.length, 'the load exceeded the budget, so it was throttled').toBeGreaterThan(100);
    for (const { at } of charged) {
      const inWindow = charged.filter((x) => x.at > at - 60_000 && x.at <= at).reduce((sum, x) => sum + x.cost, 0);
      expect(inWindow, `window ending ${at}`).toBeLessThanOrEqual(100);
    }
  });

  it('rejects a share outside (0, 1]', () => {
    expect(() => createRateBudget({ weight: { limit: 10, windowMs: 1_000, share: 0 } })).toThrow(/share must be in \(0, 1\], got 0/);
    expect(() => createRateBudget({ weight: { limit: 10, windowMs: 1_000, share: 1.5 } })).toThrow(/got 1.5/);
  });
});
