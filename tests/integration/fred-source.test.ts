import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMacroSource } from '../../src/datasources/macro/macro-source.js';
import { startFakeFred, type FakeFred } from '../support/fake-fred.js';

const NOW = Date.UTC(2026, 0, 9, 12);
const series = {
  SP500: [
    { date: '2025-12-31', value: '6845.50' },
    { date: '2026-01-01', value: '.' },
    { date: '2026-01-02', value: '6858.47' },
    { date: '2026-01-05', value: '6902.05' },
  ],
  DTWEXBGS: [{ date: '2026-01-02', value: '120.4350' }],
};

describe('macro source against the fake FRED', () => {
  let fred: FakeFred;
  let dir: string;

  beforeAll(async () => {
    fred = await startFakeFred({ series, now: () => NOW });
    dir = await mkdtemp(join(tmpdir(), 'macro-csv-'));
  });
  afterAll(async () => {
    await fred?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads SP500 over HTTP with the key, file_type=json and a ~3-year observation_start; "." stays a null day', async () => {
    const source = createMacroSource({ fredApiKey: fred.apiKey, fredBaseUrl: fred.url, csvDir: null, now: () => NOW });
    const spx = await source.series('SPX');
    expect(spx).toMatchObject({ available: true, source: 'FRED', upstreamId: 'SP500' });
    if (!spx.available) throw new Error('unreachable');
    expect(spx.observations.map((o) => [o.date, o.value])).toEqual([
      ['2025-12-31', 6845.5],
      ['2026-01-01', null],
      ['2026-01-02', 6858.47],
      ['2026-01-05', 6902.05],
    ]);
    const req = fred.requests.at(-1)!;
    expect(req.path).toBe('/fred/series/observations');
    expect(req.query).toMatchObject({ series_id: 'SP500', api_key: fred.apiKey, file_type: 'json', sort_order: 'asc', observation_start: '2023-01-05' });
    const again = await source.series('SPX');
    expect(again.available).toBe(true);
    expect(fred.requests.length, 'the second call is served from the 1 h cache').toBe(1);
    await source.stop();
  });

  it('says why a series is unavailable: no key, no FRED series for GOLD, a rejected key, a malformed payload', async () => {
    const noKey = createMacroSource({ fredApiKey: null, fredBaseUrl: fred.url, csvDir: null, now: () => NOW });
    const before = fred.requests.length;
    expect(await noKey.series('SPX')).toEqual({ available: false, id: 'SPX', reason: 'FRED_API_KEY not set' });
    expect(noKey.health(), 'no FRED venue without a key').toBeNull();
    expect(fred.requests.length, 'nothing sent without a key').toBe(before);

    const keyed = createMacroSource({ fredApiKey: fred.apiKey, fredBaseUrl: fred.url, csvDir: null, now: () => NOW, ttlMs: 0 });
    const gold = await keyed.series('GOLD');
    expect(gold.available).toBe(false);
    expect(!gold.available && gold.reason).toMatch(/GOLD has no FRED series .*GOLD\.csv into MACRO_CSV_DIR/);

    fred.setFault({ kind: 'malformed', times: 1 });
    const bad = await keyed.series('DXY');
    expect(bad.available).toBe(false);
    expect(!bad.available && bad.reason).toMatch(/^FRED DTWEXBGS: fred series\/observations: unexpected payload/);
    await keyed.stop();

    const wrongKey = createMacroSource({ fredApiKey: 'wrongkey1234', fredBaseUrl: fred.url, csvDir: null, now: () => NOW });
    const rejected = await wrongKey.series('SPX');
    expect(!rejected.available && rejected.reason).toMatch(/api_key is not registered/);
    expect(!rejected.available && rejected.reason, 'the key never appears in a reason').not.toContain('wrongkey1234');
    await wrongKey.stop();
  });

  it('prefers a CSV replay file over FRED and reports a malformed one', async () => {
    await writeFile(join(dir, 'GOLD.csv'), 'date,value\n2026-01-02,2650.10\n2026-01-05,2661.00\n');
    await writeFile(join(dir, 'DXY.csv'), 'date,value\n2026-01-02,abc\n');
    const source = createMacroSource({ fredApiKey: null, fredBaseUrl: fred.url, csvDir: dir, now: () => NOW });
    expect(await source.series('GOLD')).toMatchObject({ available: true, source: 'CSV', upstreamId: 'GOLD.csv', observations: [{ date: '2026-01-02', value: 2650.1 }, { date: '2026-01-05', value: 2661 }] });
    expect(await source.series('DXY')).toEqual({ available: false, id: 'DXY', reason: 'DXY.csv: line 2: "abc" is not a number' });
    expect(await source.series('SPX'), 'no SPX.csv: falls back to FRED, which needs a key').toEqual({ available: false, id: 'SPX', reason: 'FRED_API_KEY not set' });
  });
});
