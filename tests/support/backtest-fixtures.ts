import type { FundingSettlement } from '../../src/analyzers/funding.types.js';
import { createDatabase } from '../../src/db/database.js';
import { createArchiveRepository, MAX_ARCHIVE_ROWS_PER_INSERT, type ArchiveRow } from '../../src/db/archive-repository.js';
import type { Candle } from '../../src/domain/market.js';

export const H = 3_600_000;
export const T0 = Date.UTC(2026, 0, 1);
/** The venue the fixtures archive under (inputs name it in data.venue). */
export const FIXTURE_VENUE = 'fixture-venue';

/** A deterministic swinging 1 h walk of BTCUSDT from T0 (the shape of tests/unit/backtest-simulate.test.ts). */
export function walk(n: number, seed = 3): Candle[] {
  let s = seed;
  const rnd = () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  let price = 100;
  return Array.from({ length: n }, (_, i) => {
    const open = price;
    const close = open * (1 + (rnd() - 0.5) * 0.03 + 0.004 * Math.sin(i / 9));
    price = close;
    const high = Math.max(open, close) * (1 + rnd() * 0.008);
    const low = Math.min(open, close) * (1 - rnd() * 0.008);
    return { symbol: 'BTCUSDT', interval: '1h' as const, openTime: T0 + i * H, closeTime: T0 + (i + 1) * H - 1, open, high, low, close, volume: 10, quoteVolume: null, takerBuyVolume: null, trades: null, closed: true };
  });
}

/** Writes candles and funding settlements into the archive of the database at (url | dataDir), then closes it. */
export async function seedArchive(where: { url?: string; dataDir: string }, candles: readonly Candle[], funding: readonly FundingSettlement[]): Promise<void> {
  const db = await createDatabase({ ...(where.url ? { url: where.url } : {}), dataDir: where.dataDir });
  try {
    const repo = createArchiveRepository(db);
    const rows: ArchiveRow[] = [
      ...candles.map((candle): ArchiveRow => ({ table: 'candle', row: { venue: FIXTURE_VENUE, source: 'LIVE', candle } })),
      ...funding.map(
        (f): ArchiveRow => ({
          table: 'record',
          row: { venue: FIXTURE_VENUE, source: 'LIVE', type: 'funding', symbol: 'BTCUSDT', series: '', time: f.fundingTime, key: '', payload: { symbol: 'BTCUSDT', rate: f.rate, fundingTime: f.fundingTime, markPrice: null } },
        }),
      ),
    ];
    for (let i = 0; i < rows.length; i += MAX_ARCHIVE_ROWS_PER_INSERT) await repo.insertMany(rows.slice(i, i + MAX_ARCHIVE_ROWS_PER_INSERT));
  } finally {
    await db.close();
  }
}

export async function post(url: string, query: string, variables: Record<string, unknown> = {}, key?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: Record<string, any>; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

export const START = `mutation($input: BacktestInput!) { startBacktest(input: $input) { id status kind } }`;
export const JOB = `query($id: ID!) { backtest(id: $id) { id status progressPct attempts error result { bars warmUpBars from to metrics { initialEquity finalEquity totalReturn cagr sharpe sortino maxDrawdown calmar trades winRate profitFactor expectancy exposure fees funding } trades { side entryTime entryPrice exitTime exitPrice quantity exitReason fees funding pnl returnFraction bars } equityCurve { time equity } } } }`;
