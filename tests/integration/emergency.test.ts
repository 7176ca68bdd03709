import { existsSync } from 'node:fs';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmergencyDocument, EmergencyUpdatedDocument, type EmergencyQuery, type EmergencyUpdatedSubscription } from '../../generated/graphql/graphql.js';
import { gql, startIsolatedTestApp, waitFor, type IsolatedTestApp } from '../support/harness.js';
import { collectEvents, wsClient } from '../support/ws.js';

const QUERY = print(EmergencyDocument);
type Emergency = EmergencyQuery['emergency'];

async function emergencyOf(app: IsolatedTestApp, symbol: string, timeoutMs = 30_000): Promise<Emergency> {
  return waitFor(async () => {
    const res = await gql<EmergencyQuery>(app.url, QUERY, { symbol });
    return res.data?.emergency ?? undefined;
  }, timeoutMs, 200);
}

describe('emergency protocol on the simulated market (GraphQL, graphql-ws)', () => {
  let app: IsolatedTestApp;
  beforeAll(async () => {
    app = await startIsolatedTestApp({ SYMBOLS: 'BTCUSDT,ETHUSDT' });
  }, 60_000);
  afterAll(async () => {
    await app?.teardown();
  });

  it('answers Query.emergency with a level, its factors and SIMULATED provenance, on 1 m bars', async () => {
    const e = await emergencyOf(app, 'btcusdt');
    expect(e.symbol).toBe('BTCUSDT');
    expect(e.interval).toBe('1m');
    expect(['NORMAL', 'ELEVATED', 'EMERGENCY']).toContain(e.level);
    expect(e.meta.source).toBe('SIMULATED');
    expect(e.baselineSigma!, 'σ of the simulated 1 m returns').toBeGreaterThan(0);
    expect(e.windows.map((w) => w.windowMinutes)).toEqual([1, 5, 15, 60]);
    for (const w of e.windows) expect(w.change).toBeCloseTo(w.lastPrice / w.startPrice - 1, 9);
    // The level is the highest trigger's; NORMAL exactly when nothing triggered.
    const order = ['NORMAL', 'ELEVATED', 'EMERGENCY'];
    expect(e.level).toBe(e.triggers.reduce((m, t) => (order.indexOf(t.level) > order.indexOf(m) ? t.level : m), 'NORMAL'));
    expect(e.advice.length).toBe(1 + new Set(e.triggers.map((t) => t.type)).size);
    expect(e.factors.reduce((s, f) => s + f.weight, 0)).toBeCloseTo(1, 9);
    // The simulated venue publishes an index price and funding: both checks ran.
    expect(e.premium).not.toBeNull();
    expect(e.funding8h).not.toBeNull();
  });

  it('refuses an unknown symbol with BAD_USER_INPUT', async () => {
    const res = await gql(app.url, QUERY, { symbol: 'NOPEUSDT' });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('streams emergencyUpdated over graphql-ws, the latest at once', async () => {
    await emergencyOf(app, 'ETHUSDT');
    const client = wsClient(app);
    try {
      const [event] = await collectEvents<EmergencyUpdatedSubscription>(client, print(EmergencyUpdatedDocument), { symbol: 'ETHUSDT' }, 1, 20_000);
      expect(event!.emergencyUpdated.symbol).toBe('ETHUSDT');
      expect(event!.emergencyUpdated.meta.source).toBe('SIMULATED');
    } finally {
      await client.dispose();
    }
  });
});

const KLINES = ['../shared/data', '/work/shared/data'].map((d) => `${d}/binance-futures/klines`).find((d) => existsSync(`${d}/BTCUSDT-5m.freqtrade.json`));

describe.skipIf(!KLINES)('emergency protocol on the replayed 2025-10-10 crash (real Binance 5 m candles)', () => {
  let app: IsolatedTestApp;
  afterAll(async () => {
    await app?.teardown();
  });

  it('is an EMERGENCY at 21:15 UTC with a confirmed flash crash, REPLAY provenance and no made-up liquidations', async () => {
    // Real time from 21:15: everything recorded before it arrives as the warm-up, and the clock stays in the crash.
    app = await startIsolatedTestApp({
      MARKET_SOURCE: 'replay',
      REPLAY_DIR: `${KLINES}/BTCUSDT-5m.freqtrade.json`,
      REPLAY_SPEED: '1',
      REPLAY_START: '2025-10-10T21:15:00Z',
      SYMBOLS: 'BTCUSDT',
      ROLE: 'all',
    });
    const e = await emergencyOf(app, 'BTCUSDT');
    expect(e.interval).toBe('5m');
    expect(e.meta.source).toBe('REPLAY');
    expect(new Date(e.time).getTime()).toBeLessThanOrEqual(Date.parse('2025-10-10T21:15:00Z'));
    expect(e.level).toBe('EMERGENCY');
    const flash = e.triggers.find((t) => t.type === 'FLASH_CRASH')!;
    expect(flash.level).toBe('EMERGENCY');
    expect(flash.value).toBeLessThan(-20);
    const window = e.windows.find((w) => w.windowMinutes === flash.windowMinutes)!;
    expect(window.confirmedBy).toContain('VOLUME');
    expect(window.liquidatedUsd, 'the recording has no liquidations: null, not 0').toBeNull();
    expect(e.unavailable.map((u) => u.check)).toEqual(expect.arrayContaining(['liquidationConfirmation', 'basis']));
    // −4.6 % within 15 min and −6.6 % within the hour: below the 5 % / 8 % EMERGENCY bounds, above the ELEVATED ones.
    const breakers = e.triggers.filter((t) => t.type === 'CIRCUIT_BREAKER_MOVE');
    expect(breakers.map((t) => [t.windowMinutes, t.level])).toEqual([
      [15, 'ELEVATED'],
      [60, 'ELEVATED'],
    ]);
    expect(breakers[0]!.value).toBeCloseTo(e.windows.find((w) => w.windowMinutes === 5)!.drawdown, 12);
    expect(breakers[1]!.value).toBeCloseTo(e.windows.find((w) => w.windowMinutes === 60)!.drawdown, 12);
    expect(breakers[1]!.value).toBeCloseTo(-0.0656, 4);
  }, 90_000);
});
