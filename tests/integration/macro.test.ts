import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startIsolatedTestApp, waitFor, type IsolatedTestApp } from '../support/harness.js';
import { startFakeFred, type FakeFred } from '../support/fake-fred.js';

const DAY = 86_400_000;

const CORRELATIONS = `query($symbols: [String!], $interval: CandleInterval = I1D, $window: Int = 60, $gaps: MacroGapPolicy = SPAN) {
  correlations(symbols: $symbols, interval: $interval, window: $window, macroGaps: $gaps) {
    symbols interval window macroGaps notes
    pearson { symbol values }
    samples { symbol values }
    pairs { a b pearson spearman samples calendar gapReturns note leadLag { lagBars } }
    macroSeries { symbol status reason source upstreamId observations lastDate }
    meta { source venue methodologyVersion }
  }
}`;

interface Pair { a: string; b: string; pearson: number | null; spearman: number | null; samples: number; calendar: string; gapReturns: number; note: string | null }
interface Matrix {
  symbols: string[];
  macroGaps: string | null;
  notes: string[];
  pearson: { symbol: string; values: (number | null)[] }[];
  pairs: Pair[];
  macroSeries: { symbol: string; status: string; reason: string | null; source: string | null; upstreamId: string | null; observations: number; lastDate: string | null }[];
  meta: { source: string; venue: string; methodologyVersion: string };
}

/** Reference: Pearson of log returns between consecutive days both series have a value, newest `window`. */
function reference(crypto: Map<number, number>, macro: Map<number, number>, window: number, skipGaps: boolean) {
  const days = [...crypto.keys()].filter((d) => macro.has(d)).sort((x, y) => x - y);
  const x: number[] = [];
  const y: number[] = [];
  const span: number[] = [];
  for (let k = 1; k < days.length; k++) {
    const s = (days[k]! - days[k - 1]!) / DAY;
    if (skipGaps && s > 1) continue;
    x.push(Math.log(crypto.get(days[k]!)! / crypto.get(days[k - 1]!)!));
    y.push(Math.log(macro.get(days[k]!)! / macro.get(days[k - 1]!)!));
    span.push(s);
  }
  const xs = x.slice(-window);
  const ys = y.slice(-window);
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let c = 0;
  let vx = 0;
  let vy = 0;
  for (let i = 0; i < n; i++) {
    c += (xs[i]! - mx) * (ys[i]! - my);
    vx += (xs[i]! - mx) ** 2;
    vy += (ys[i]! - my) ** 2;
  }
  return { samples: n, gapReturns: span.slice(-window).filter((s) => s > 1).length, pearson: c / Math.sqrt(vx * vy) };
}

describe('macro series and events through GraphQL (fake FRED over HTTP)', () => {
  let fred: FakeFred;
  let app: IsolatedTestApp;
  let dir: string;
  const eventAt = Math.ceil((Date.now() + 3 * 3_600_000) / 60_000) * 60_000;

  beforeAll(async () => {
    fred = await startFakeFred();
    dir = await mkdtemp(join(tmpdir(), 'macro-events-'));
    const events = join(dir, 'events.csv');
    await writeFile(events, `time,kind,title,importance,source\n${new Date(eventAt).toISOString()},TEST,Test rate decision,HIGH,test\n`);
    app = await startIsolatedTestApp({ FRED_URL: fred.url, FRED_API_KEY: fred.apiKey, MACRO_EVENTS_URL: events });
  }, 60_000);
  afterAll(async () => {
    await app?.teardown();
    await fred?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('correlates BTC and ETH with SPX and DXY on the macro calendar, matching a reference computed from the same data', async () => {
    const res = await waitFor(async () => {
      const r = await gql<{ correlations: Matrix }>(app.url, CORRELATIONS, { symbols: ['BTCUSDT', 'ETHUSDT', 'SPX', 'DXY', 'GOLD'] });
      return r.data?.correlations ? r : undefined;
    }, 30_000);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const m = res.data!.correlations;
    expect(m.symbols).toEqual(['BTCUSDT', 'ETHUSDT', 'SPX', 'DXY', 'GOLD']);
    expect(m.macroGaps).toBe('SPAN');
    expect(m.macroSeries.map((s) => [s.symbol, s.status, s.source, s.upstreamId])).toEqual([
      ['SPX', 'AVAILABLE', 'FRED', 'SP500'],
      ['DXY', 'AVAILABLE', 'FRED', 'DTWEXBGS'],
      ['GOLD', 'UNAVAILABLE', null, null],
    ]);
    expect(m.macroSeries[2]!.reason).toMatch(/GOLD has no FRED series/);
    expect(fred.requests.filter((r) => r.path === '/fred/series/observations').map((r) => r.query.series_id).sort()).toEqual(['DTWEXBGS', 'SP500']);

    const candles = await gql<{ market: { data: { candles: { openTime: string; close: number; closed: boolean }[] } } }>(
      app.url,
      `{ market(symbol: "BTCUSDT") { data { candles(interval: I1D, limit: 1000) { openTime close closed } } } }`,
    );
    const btc = new Map(candles.data!.market.data.candles.filter((c) => c.closed).map((c) => [Date.parse(c.openTime), c.close]));
    const spx = new Map(fred.series('SP500').filter((o) => o.value !== '.').map((o) => [Date.parse(`${o.date}T00:00:00Z`), Number(o.value)]));
    const ref = reference(btc, spx, 60, false);
    const pair = m.pairs.find((p) => p.a === 'BTCUSDT' && p.b === 'SPX')!;
    expect(pair.calendar).toBe('MACRO');
    expect(pair.samples, 'a full window of aligned returns').toBe(60);
    expect(pair.samples).toBe(ref.samples);
    expect(pair.gapReturns, 'weekends (and any holiday) in the last 60 aligned returns').toBe(ref.gapReturns);
    expect(pair.gapReturns, 'about one weekend per five returns').toBeGreaterThanOrEqual(11);
    expect(pair.pearson!).toBeCloseTo(ref.pearson, 5);
    expect(pair.note).toMatch(new RegExp(`^60 aligned daily returns on days both BTCUSDT and SPX have a value; ${ref.gapReturns} of them span closed-market gaps`));
    expect(m.pairs.find((p) => p.a === 'BTCUSDT' && p.b === 'ETHUSDT')!.calendar, 'crypto pairs stay on the candle grid').toBe('CRYPTO');
    const gold = m.pairs.find((p) => p.a === 'BTCUSDT' && p.b === 'GOLD')!;
    expect(gold).toMatchObject({ pearson: null, spearman: null, samples: 0, calendar: 'MACRO' });
    expect(gold.note).toMatch(/^GOLD is unavailable: GOLD has no FRED series/);
    expect(m.pearson[0]!.values[4], 'GOLD cell null, never 0').toBeNull();
    expect(m.meta.venue).toMatch(/fred/);
    expect(m.meta.source, 'the simulated market flags the whole matrix').toBe('SIMULATED');
    const health = await gql<{ health: { venues: { venue: string; state: string; lastSuccessAt: string | null }[] } }>(app.url, '{ health { venues { venue state lastSuccessAt } } }');
    const fredVenue = health.data!.health.venues.find((v) => v.venue === 'fred');
    expect(fredVenue, 'FRED listed once a key is set').toMatchObject({ state: 'OK' });
    expect(fredVenue!.lastSuccessAt).not.toBeNull();

    const skip = await gql<{ correlations: Matrix }>(app.url, CORRELATIONS, { symbols: ['BTCUSDT', 'SPX'], gaps: 'SKIP', window: 40 });
    expect(skip.errors, JSON.stringify(skip.errors)).toBeUndefined();
    const sp = skip.data!.correlations.pairs[0]!;
    const refSkip = reference(btc, spx, 40, true);
    expect(sp).toMatchObject({ samples: refSkip.samples, gapReturns: 0 });
    expect(sp.pearson!).toBeCloseTo(refSkip.pearson, 5);
  });

  it('rejects macro series on an intraday interval with BAD_USER_INPUT', async () => {
    const res = await gql(app.url, CORRELATIONS, { symbols: ['BTCUSDT', 'SPX'], interval: 'I1H' });
    expect(res.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message).toBe('macro series (SPX) are daily: use interval I1D');
  });

  it('shows the next macro events in sessions and uses a near HIGH event as a volatility factor', async () => {
    const res = await waitFor(async () => {
      const r = await gql<{ market: { sessions: { now: string; macroEvents: { kind: string; title: string; time: string; inMs: number; importance: string; confirmed: boolean }[] }; volatility: { factors: { name: string; value: number; note: string }[]; riskMultiplier: number | null } } }>(
        app.url,
        `{ market(symbol: "BTCUSDT") { sessions { now macroEvents(limit: 3) { kind title time inMs importance confirmed } } volatility { riskMultiplier factors { name value note } } } }`,
      );
      return r.data?.market?.volatility?.factors.some((f) => f.name === 'macroEventProximity') ? r : undefined;
    }, 20_000);
    const { sessions, volatility } = res.data!.market;
    const first = sessions.macroEvents[0]!;
    expect(first).toMatchObject({ kind: 'TEST', title: 'Test rate decision', importance: 'HIGH', confirmed: true, time: new Date(eventAt).toISOString() });
    expect(first.inMs, 'time to the event from the analysis time').toBe(eventAt - Date.parse(sessions.now));
    const f = volatility.factors.find((x) => x.name === 'macroEventProximity')!;
    expect(f.value).toBeGreaterThan(2.5);
    expect(f.value, 'hours to an event set 3 h (rounded up to the minute) after the suite started').toBeLessThanOrEqual(3.02);
    expect(f.note).toMatch(/Test rate decision \(TEST, HIGH\) in \d\.\d h/);

    const list = await gql<{ macroEvents: { kind: string }[] }>(app.url, '{ macroEvents(limit: 50, minImportance: HIGH) { kind } }');
    expect(list.data!.macroEvents[0]!.kind).toBe('TEST');
  });
});

describe('macro without a FRED key', () => {
  let app: IsolatedTestApp;
  let fred: FakeFred;
  beforeAll(async () => {
    fred = await startFakeFred();
    app = await startIsolatedTestApp({ FRED_URL: fred.url });
  }, 60_000);
  afterAll(async () => {
    await app?.teardown();
    await fred?.close();
  });

  it('answers UNAVAILABLE with "FRED_API_KEY not set" and null correlations, and sends nothing', async () => {
    const res = await waitFor(async () => {
      const r = await gql<{ correlations: Matrix }>(app.url, CORRELATIONS, { symbols: ['BTCUSDT', 'SPX'] });
      return r.data?.correlations ? r : undefined;
    }, 30_000);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const m = res.data!.correlations;
    expect(m.macroSeries).toEqual([{ symbol: 'SPX', status: 'UNAVAILABLE', reason: 'FRED_API_KEY not set', source: null, upstreamId: null, observations: 0, lastDate: null }]);
    expect(m.pairs[0]).toMatchObject({ pearson: null, spearman: null, samples: 0, note: 'SPX is unavailable: FRED_API_KEY not set' });
    expect(m.pearson[0]!.values[1]).toBeNull();
    expect(m.notes).toContain('SPX is unavailable: FRED_API_KEY not set');
    expect(fred.requests).toHaveLength(0);
    const health = await gql<{ health: { venues: { venue: string }[] } }>(app.url, '{ health { venues { venue } } }');
    expect(health.data!.health.venues.map((v) => v.venue), 'no FRED venue without a key').not.toContain('fred');
  });
});
