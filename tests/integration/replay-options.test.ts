import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplaySource } from '../../src/datasources/replay/replay-source.js';
import { gql, startIsolatedTestApp, waitFor, type GraphQLResponse, type IsolatedTestApp } from '../support/harness.js';

/**
 * Options flow through a replay. The shared Deribit chains (SOURCES.md §15) are from May 2020 and no
 * perpetual recording covers that time, so a replay of the whole folder cannot serve options flow on the
 * clock of its perpetual data. A REPLAY_START inside the chain recordings moves the replay clock back to
 * 2020: the chains (and the Fear & Greed of those days) are replayed on their own time, with their real
 * asOf, and the per-symbol analyses say NOT_READY with the reason (the clock is before BTCUSDT's first
 * recording), never a number. Expected values are hand-computed from the CSV (python csv module).
 */
const DATA = ['../shared/data', '/work/shared/data'].find((d) => existsSync(d));
const START = '2020-05-22T00:00:00Z';
const utc = (iso: string): string => new Date(iso).toISOString();

const QUERY = `{
  optionsFlow(currency: "BTC") {
    time warmingUp spot
    putCall { callOpenInterest putOpenInterest openInterestRatio }
    expiries { expiry maxPain maxPainPayoutUsd }
    meta { source venue asOf stale }
  }
  optionsChain(currency: "BTC") { indexPrice meta { asOf } }
  fearGreed(historyLimit: 2) { latest { value classification time } meta { source asOf } }
  market(symbol: "BTCUSDT") { funding { rate } volatility { meta { asOf } } }
}`;

interface Answer {
  optionsFlow: {
    time: string;
    warmingUp: boolean;
    spot: number;
    putCall: { callOpenInterest: number; putOpenInterest: number; openInterestRatio: number | null };
    expiries: { expiry: string; maxPain: number | null; maxPainPayoutUsd: number | null }[];
    meta: { source: string; venue: string; asOf: string; stale: boolean };
  } | null;
  optionsChain: { indexPrice: number; meta: { asOf: string } } | null;
  fearGreed: { latest: { value: number; classification: string; time: string }; meta: { source: string; asOf: string } } | null;
  market: { funding: unknown; volatility: unknown };
}

describe.skipIf(DATA === undefined)('options flow on a replay started inside the 2020 Deribit chain recordings', () => {
  if (DATA === undefined) return;
  let app: IsolatedTestApp;
  let res: GraphQLResponse<Answer>;

  beforeAll(async () => {
    // Real time from the start: the warm-up (everything before START) is pushed at once, the perpetual data
    // of 2024–2026 stays years ahead of the clock.
    const startAt = Date.parse(START);
    const source = createReplaySource({ dir: DATA, speed: 1, startAt });
    app = await startIsolatedTestApp(
      { MARKET_SOURCE: 'replay', REPLAY_DIR: DATA, REPLAY_SPEED: '1', REPLAY_START: START, SYMBOLS: 'BTCUSDT', ROLE: 'all' },
      source,
    );
    res = await waitFor(async () => {
      const r = await gql<Answer>(app.url, QUERY);
      return r.data?.optionsFlow && r.data.fearGreed?.latest.time === utc('2020-05-22T00:00:00Z') ? r : undefined;
    }, 20_000, 250);
  }, 60_000);
  afterAll(() => app?.teardown());

  it('serves options flow from the newest recorded chain, with meta REPLAY and the chain time as asOf', () => {
    const flow = res.data!.optionsFlow!;
    // BTC-options-chain-2020-05-21T2319Z.csv: newest row timestamp 1590103355277.
    const asOf = utc('2020-05-21T23:22:35.277Z');
    expect(flow.meta).toMatchObject({ source: 'REPLAY', venue: 'replay', asOf });
    // Honest age: the recorded chain is a one-off snapshot 37 minutes before the clock; the option-chain
    // input is polled far more often live, so it is overdue and the result says so.
    expect(flow.meta.stale, 'a 37-minute-old chain').toBe(true);
    expect(flow.time).toBe(asOf);
    expect(flow.warmingUp).toBe(false);
    expect(res.data!.optionsChain!.meta.asOf).toBe(asOf);
    expect(res.data!.optionsChain!.indexPrice, "index_price of the newest row").toBeGreaterThan(9_000);
  });

  it('put/call open interest and max pain equal the values hand-computed from the CSV', () => {
    const flow = res.data!.optionsFlow!;
    // Σ open_interest over the 163 calls and the 163 puts of the 2020-05-21 file.
    expect(flow.putCall.callOpenInterest).toBeCloseTo(55_987.3, 6);
    expect(flow.putCall.putOpenInterest).toBeCloseTo(50_094.7, 6);
    expect(flow.putCall.openInterestRatio).toBeCloseTo(50_094.7 / 55_987.3, 9);
    // Max pain per expiry: the listed strike minimising Σ call OI·max(0, K − k) + Σ put OI·max(0, k − K) (USD, 1 BTC contracts).
    const pain = Object.fromEntries(flow.expiries.map((e) => [e.expiry, [e.maxPain, e.maxPainPayoutUsd]]));
    expect(pain[utc('2020-05-22T08:00:00Z')]).toEqual([9_250, expect.closeTo(1_360_925, 3)]);
    expect(pain[utc('2020-05-29T08:00:00Z')]).toEqual([9_000, expect.closeTo(3_761_900, 3)]);
    expect(pain[utc('2020-06-26T08:00:00Z')]).toEqual([9_000, expect.closeTo(6_435_750, 3)]);
    expect(pain[utc('2020-12-25T08:00:00Z')]).toEqual([8_000, expect.closeTo(951_900, 3)]);
  });

  it('Fear & Greed is the recorded value of the replay day on the same clock (2020-05-22: 42, Fear)', () => {
    // The 2020-05-22 value is stamped 00:00:00, the start: it is delivered as soon as the clock moves past it.
    expect(res.data!.fearGreed!.latest).toEqual({ value: 42, classification: 'Fear', time: utc('2020-05-22T00:00:00Z') });
    expect(res.data!.fearGreed!.meta.source).toBe('REPLAY');
  });

  it('per-symbol analyses are NOT_READY with the reason: the clock is before the first BTCUSDT recording', () => {
    expect(res.data!.market.funding).toBeNull();
    expect(res.data!.market.volatility).toBeNull();
    for (const field of ['funding', 'volatility']) {
      const error = (res.errors ?? []).find((e) => JSON.stringify((e as { path?: unknown }).path) === JSON.stringify(['market', field]));
      expect(error?.extensions?.code, field).toBe('NOT_READY');
      // The first BTCUSDT perpetual recording: the multi-15m freqtrade file from 2025-08-29 00:00.
      expect(error?.message).toMatch(/not available yet: the replay clock \(2020-05-22T00:00:\d\d\.\d{3}Z\) is before the first recording of BTCUSDT \(2025-08-29T00:00:00\.000Z\)/);
    }
  });
});
