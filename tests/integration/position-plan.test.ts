import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PortfolioRiskDocument, PositionPlanDocument, type PositionPlanInput } from '../../generated/graphql/graphql.js';
import { liquidationPrice } from '../../src/analyzers/liquidation-heatmap.js';
import { gql, startIsolatedTestApp, waitFor, type IsolatedTestApp } from '../support/harness.js';
import { run } from '../support/ws.js';

/** positionPlan and portfolioRisk over real HTTP on the simulated market, checked against the analyses they read. */
describe('position plan and portfolio risk end to end (simulated market)', () => {
  let app: IsolatedTestApp;
  let price: number;
  let riskMultiplier: number;
  let atr: number;

  beforeAll(async () => {
    app = await startIsolatedTestApp();
    const ready = await waitFor(async () => {
      const r = await gql<{ market: { price: number | null; volatility: { riskMultiplier: number | null; atr: number | null } | null } }>(
        app.url,
        '{ market(symbol: "BTCUSDT") { price volatility { riskMultiplier atr } } }',
      );
      const m = r.data?.market;
      return m?.price && m.volatility?.riskMultiplier != null && m.volatility.atr != null ? m : undefined;
    }, 30_000);
    price = ready.price!;
    riskMultiplier = ready.volatility!.riskMultiplier!;
    atr = ready.volatility!.atr!;
  }, 60_000);
  afterAll(() => app?.teardown());

  it('plans a long at the given entry: size, volatility multiplier, bracket liquidation and R multiples', async () => {
    const entry = price;
    const stop = entry * 0.98;
    const input: PositionPlanInput = { symbol: 'btcusdt', side: 'LONG', equity: 10_000, riskPct: 1, entry, stop, targets: [entry * 1.04] };
    const res = await run(app, PositionPlanDocument, { input });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const p = res.data!.positionPlan;
    expect(p.symbol, 'normalised').toBe('BTCUSDT');
    expect(p.entrySource).toBe('INPUT');
    expect(p.priceMeta, 'no market price read').toBeNull();
    expect(p.riskBudget).toBeCloseTo(100, 9);
    expect(p.baseQuantity, '100 / (2 % of entry)').toBeCloseTo(100 / (entry * 0.02), 9);
    expect(p.volatilityScaled, 'the simulated market has 500 backfilled 1 h bars').toBe(true);
    expect(p.volatilityMultiplier, 'the VOLATILITY riskMultiplier, capped at 1').toBeCloseTo(Math.min(riskMultiplier, 1), 12);
    expect(p.quantity).toBeCloseTo(p.baseQuantity * p.volatilityMultiplier!, 9);
    expect(p.riskAmount, 'never more than the budget').toBeLessThanOrEqual(100 + 1e-9);
    expect(p.liquidationBuffer, 'max(0.5 % of entry, 0.5 ATR)').toBeCloseTo(Math.max(0.005 * entry, 0.5 * atr), 6);
    expect(p.bracket.table).toBe('Binance BTCUSDT');
    const top = p.leverages.at(-1)!;
    expect(top.leverage, 'the ladder ends at the max safe leverage').toBe(p.maxSafeLeverage);
    const bracket = { maintenanceMarginRate: p.bracket.maintenanceMarginRate, maintenanceAmount: p.bracket.maintenanceAmount };
    expect(top.liquidationPrice).toBeCloseTo(liquidationPrice('LONG', entry, p.maxSafeLeverage, bracket, p.notional), 6);
    expect(top.liquidationPrice, 'liquidation beyond the stop by the buffer').toBeLessThanOrEqual(stop - p.liquidationBuffer + 1e-6);
    expect(liquidationPrice('LONG', entry, p.maxSafeLeverage + 1, bracket, p.notional), 'one more is not safe').toBeGreaterThan(stop - p.liquidationBuffer);
    expect(p.targets[0]!.rMultiple, '4 % / 2 %').toBeCloseTo(2, 9);
    expect(p.volatilityMeta!.source).toBe('SIMULATED');
    expect(p.methodologyVersion).toBe('position-plan/1.0.0');
    expect(p.notes.join(' ')).toMatch(/never places/);
  });

  it('defaults the entry to the current price and says so', async () => {
    const res = await run(app, PositionPlanDocument, { input: { symbol: 'ETHUSDT', side: 'SHORT', equity: 5_000, stop: price * 10 } });
    // a BTC-sized stop on ETH is ~30x its price: even 1x is liquidated first
    expect(res.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.extensions!.reason).toBe('NO_SAFE_LEVERAGE');
    const eth = await gql<{ market: { price: number } }>(app.url, '{ market(symbol: "ETHUSDT") { price } }');
    const ok = await run(app, PositionPlanDocument, { input: { symbol: 'ETHUSDT', side: 'SHORT', equity: 5_000, stop: eth.data!.market.price * 1.03, leverages: [2, 5] } });
    expect(ok.errors, JSON.stringify(ok.errors)).toBeUndefined();
    const p = ok.data!.positionPlan;
    expect(p.entrySource).toBe('MARKET');
    expect(p.priceMeta!.source).toBe('SIMULATED');
    expect(p.riskPct, 'default 1 %').toBe(1);
    expect(Math.abs(p.entry / eth.data!.market.price - 1), 'the last traded price (it ticks every 50 ms)').toBeLessThan(0.01);
    expect(p.leverages.map((l) => l.leverage)).toEqual([2, 5]);
    expect(p.leverages[0]!.margin).toBeCloseTo(p.notional / 2, 9);
  });

  it('refuses wrong-side stops, unsafe leverage and absurd inputs with coded BAD_USER_INPUT', async () => {
    const base = { symbol: 'BTCUSDT', side: 'LONG' as const, equity: 10_000, entry: price };
    const cases: [string, PositionPlanInput, RegExp, string | undefined][] = [
      ['stop above a long entry', { ...base, stop: price * 1.01 }, /LONG stop must be below the entry/, 'STOP_WRONG_SIDE'],
      ['125x with a 2 % stop', { ...base, stop: price * 0.98, leverages: [125] }, /liquidates at .* before the stop/, 'LEVERAGE_LIQUIDATES_BEFORE_STOP'],
      ['a target below a long entry', { ...base, stop: price * 0.98, targets: [price * 0.9] }, /target must be above/, 'TARGET_WRONG_SIDE'],
      ['peak below equity', { ...base, stop: price * 0.98, peakEquity: 9_000 }, /peakEquity .* below the current equity/, 'PEAK_BELOW_EQUITY'],
      ['negative equity', { ...base, equity: -1, stop: price * 0.98 }, /equity must be greater than 0/, undefined],
      ['riskPct 50', { ...base, riskPct: 50, stop: price * 0.98 }, /riskPct must be at most 10/, undefined],
      ['absurd price', { ...base, stop: 1e300 }, /stop must be at most 1000000000/, undefined],
      ['11 targets', { ...base, stop: price * 0.98, targets: Array.from({ length: 11 }, (_, i) => price * (1.01 + i / 100)) }, /at most 10 targets/, undefined],
      ['leverage 0', { ...base, stop: price * 0.98, leverages: [0] }, /leverage must be at least 1/, undefined],
      ['unknown symbol', { ...base, symbol: 'NOPEUSDT', stop: price * 0.98 }, /Unknown symbol/, undefined],
    ];
    for (const [name, input, message, reason] of cases) {
      const res = await run(app, PositionPlanDocument, { input });
      expect(res.data?.positionPlan ?? null, name).toBeNull();
      expect(res.errors?.[0]?.extensions?.code, name).toBe('BAD_USER_INPUT');
      expect(res.errors![0]!.message, name).toMatch(message);
      if (reason) expect(res.errors![0]!.extensions!.reason, name).toBe(reason);
    }
  });

  it('computes portfolio heat with the measured correlation of the CORRELATION analysis', async () => {
    const corr = await waitFor(async () => {
      const r = await gql<{ correlations: { symbols: string[]; pearson: { values: (number | null)[] }[] } | null }>(app.url, '{ correlations { symbols pearson { values } } }');
      return r.data?.correlations ?? undefined;
    }, 20_000);
    const rho = corr.pearson[corr.symbols.indexOf('BTCUSDT')]!.values[corr.symbols.indexOf('ETHUSDT')]!;
    const positions = [
      { symbol: 'BTCUSDT', side: 'LONG' as const, quantity: 0.1, price: 50_000, stop: 49_000 },
      { symbol: 'ETHUSDT', side: 'SHORT' as const, quantity: 2, price: 3_000, stop: 3_075 },
    ];
    const res = await run(app, PortfolioRiskDocument, { positions, equity: 10_000, peakEquity: 11_000 });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const r = res.data!.portfolioRisk;
    expect(r.totalRisk, '100 + 150').toBeCloseTo(250, 9);
    expect(r.heatPct).toBeCloseTo(2.5, 9);
    expect(r.pairs[0]!.source).toBe('MEASURED');
    expect(r.pairs[0]!.correlation).toBeCloseTo(rho, 12);
    // w = [100, −150]: wᵀCw = 100² + 150² − 2ρ × 100 × 150
    expect(r.correlatedRisk).toBeCloseTo(Math.sqrt(10_000 + 22_500 - 30_000 * rho), 6);
    expect(r.positions.reduce((s, p) => s + p.correlatedRiskShare!, 0), 'Euler shares sum to 1').toBeCloseTo(1, 9);
    expect(r.concentration.longShare).toBeCloseTo(5 / 11, 12);
    expect(r.concentration.dominantSide).toBe('SHORT');
    expect(r.drawdown!.multiplier, '9.1 % drawdown').toBe(0.75);
    expect(r.correlationMeta!.source).toBe('SIMULATED');
    expect(r.unknownCorrelations).toBe(0);
  });

  it('measures open positions from the current price and bounds the list', async () => {
    const btc = await gql<{ market: { price: number } }>(app.url, '{ market(symbol: "BTCUSDT") { price } }');
    const res = await run(app, PortfolioRiskDocument, { positions: [{ symbol: 'BTCUSDT', side: 'LONG', quantity: 0.01, stop: btc.data!.market.price * 0.95 }], equity: 1_000 });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const p = res.data!.portfolioRisk.positions[0]!;
    expect(p.priceSource).toBe('MARKET');
    expect(p.priceMeta!.source).toBe('SIMULATED');
    expect(p.risk).toBeCloseTo(0.01 * (p.price - p.stop), 9);
    const crossed = await run(app, PortfolioRiskDocument, { positions: [{ symbol: 'BTCUSDT', side: 'SHORT', quantity: 1, price: 100, stop: 90 }], equity: 1_000 });
    expect(crossed.errors![0]!.extensions!.reason).toBe('STOP_CROSSED');
    const many = Array.from({ length: 51 }, () => ({ symbol: 'BTCUSDT', side: 'LONG' as const, quantity: 1, price: 100, stop: 90 }));
    const tooMany = await run(app, PortfolioRiskDocument, { positions: many, equity: 1_000 });
    expect(tooMany.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(tooMany.errors![0]!.message).toMatch(/at most 50 positions/);
  });

  it('answers the README example query', async () => {
    // README "Position & risk plan": the example is read from the README itself so the two cannot drift.
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf('```graphql\nquery {\n  positionPlan(');
    expect(start, 'README example present').toBeGreaterThan(0);
    const query = readme.slice(start + '```graphql\n'.length, readme.indexOf('```', start + 10));
    const res = await gql<{ positionPlan: { quantity: number; maxSafeLeverage: number }; portfolioRisk: { heatPct: number } }>(app.url, query);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(res.data!.positionPlan.quantity, '100 / 2 000 × min(riskMultiplier, 1)').toBeCloseTo(0.05 * Math.min(riskMultiplier, 1), 9);
    expect(res.data!.portfolioRisk.heatPct, '(0.01 × 2 000 + 0.5 × 150) / 10 000 × 100').toBeCloseTo(0.95, 9);
  });
});
