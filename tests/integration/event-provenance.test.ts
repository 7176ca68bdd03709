import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplaySource } from '../../src/datasources/replay/replay-source.js';
import { startIsolatedTestApp, type IsolatedTestApp } from '../support/harness.js';
import { collectEvents, wsClient } from '../support/ws.js';

/**
 * Event provenance over graphql-ws, real server and real client: every event payload carries
 * `meta { source venue asOf }` that says where it came from (never LIVE off a recording or the simulated
 * market) and is consistent with the payload's own time.
 *
 * Volatility regime changes and traps come from a replay of the real 2025-10-10 crash (SOURCES.md §1: BTC
 * 5m/15m/1h freqtrade candles, funding and 8 h mark). Liquidations and cascade alerts are covered
 * by event-provenance-live.test.ts (a scripted forceOrder burst through the real Binance adapters) and
 * event-provenance-sim.test.ts: the recordings hold no liquidation with a coin (SOURCES.md §11).
 */
const DATA = ['../shared/data', '/work/shared/data'].find((d) => existsSync(d));

const META = 'meta { source venue asOf }';
type EventMeta = { source: string; venue: string; asOf: string };

describe.skipIf(DATA === undefined)('event meta on a replay of the 2025-10-10 crash: volatilityRegimeChanged and trapDetected', () => {
  if (DATA === undefined) return;
  let app: IsolatedTestApp;
  let client: Client;
  const files = ['klines/BTCUSDT-5m.freqtrade.json', 'klines/BTCUSDT-15m.freqtrade.json', 'klines/BTCUSDT-1h.freqtrade.json', 'funding-rate/BTCUSDT-8h-funding_rate.freqtrade.json', 'mark-price/BTCUSDT-8h-mark.freqtrade.json'].map((f) =>
    join(DATA, 'binance-futures', f),
  );
  // 09:00 UTC: the crash (21:00–21:20) is 12 h of data ahead; at 1 800 data-ms per ms that is 24 s.
  const START = '2025-10-10T09:00:00Z';

  beforeAll(async () => {
    const source = createReplaySource({ dir: files, speed: 1_800, startAt: Date.parse(START), tickMs: 100 });
    app = await startIsolatedTestApp({ MARKET_SOURCE: 'replay', REPLAY_DIR: files.join(','), REPLAY_SPEED: '1800', REPLAY_START: START, SYMBOLS: 'BTCUSDT' }, source);
    client = wsClient(app);
  }, 60_000);
  afterAll(async () => {
    await client?.dispose();
    await app?.teardown();
  });

  it('both event kinds arrive with meta REPLAY/replay and asOf = the event time', async () => {
    type Vol = { volatilityRegimeChanged: { symbol: string; interval: string; time: string; from: string | null; to: string; meta: EventMeta } };
    type Trap = { trapDetected: { symbol: string; interval: string; time: string; detectedAt: string; type: string; meta: EventMeta } };
    const [vol, trap] = await Promise.all([
      collectEvents<Vol>(client, `subscription { volatilityRegimeChanged(symbol: "BTCUSDT") { symbol interval time from to ${META} } }`, {}, 1, 90_000),
      collectEvents<Trap>(client, `subscription { trapDetected(symbol: "BTCUSDT") { symbol interval time detectedAt type ${META} } }`, {}, 1, 90_000),
    ]);
    const v = vol[0]!.volatilityRegimeChanged;
    const tr = trap[0]!.trapDetected;
    // Which change comes first depends on how far the clock ran before subscribing (e.g. 1h HIGH_VOL →
    // STABLE at 10:59:59.999); the provenance rules do not.
    const day = [Date.parse('2025-10-10T09:00:00Z'), Date.parse('2025-10-11T00:00:00Z')];
    expect(v.meta, 'a recording is never LIVE').toEqual({ source: 'REPLAY', venue: 'replay', asOf: v.time });
    expect(v.symbol).toBe('BTCUSDT');
    expect(v.from).not.toBe(v.to);
    expect(Date.parse(v.time)).toBeGreaterThanOrEqual(day[0]!);
    expect(Date.parse(v.time), 'on the replay clock, not the wall clock').toBeLessThan(day[1]!);
    // A trap's asOf is when it was detected (the close of the bar that confirmed it), after the bar it names.
    expect(tr.meta).toEqual({ source: 'REPLAY', venue: 'replay', asOf: tr.detectedAt });
    expect(tr.symbol).toBe('BTCUSDT');
    expect(Date.parse(tr.detectedAt)).toBeGreaterThanOrEqual(Date.parse(tr.time));
    expect(Date.parse(tr.detectedAt)).toBeLessThan(day[1]!);
  }, 120_000);
});

