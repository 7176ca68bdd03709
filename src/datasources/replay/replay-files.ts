import { readdirSync, statSync } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import { CANDLE_INTERVALS, type CandleInterval } from '../../domain/market.js';

/**
 * Finding and classifying recorded files. Symbol, interval and content are read from the file NAME (and, for
 * two cases, a directory name); contents are never sniffed here. Symbols must be upper case (`BTCUSDT`),
 * which also keeps unrelated lower-case files (`ohlcv_1h.csv`, `openInterestHist-…csv`) out.
 *
 * | pattern (file name)                                   | origin                        | content                  |
 * |-------------------------------------------------------|-------------------------------|--------------------------|
 * | `SYM-INTERVAL.csv`, `SYM-INTERVAL-YYYY-MM[-DD].csv`   | data.binance.vision klines    | candles (spot: spot price) |
 * | `SYM-aggTrades-YYYY-MM[-DD].csv`                      | data.binance.vision aggTrades | trades (spot: spot price) |
 * | `SYM-trades-YYYY-MM[-DD].csv`                         | data.binance.vision trades    | trades (spot: spot price) |
 * | `SYM-metrics-YYYY-MM-DD.csv`                          | data.binance.vision metrics   | OI, long/short, taker    |
 * | `SYM-fundingRate-YYYY-MM.csv`                         | data.binance.vision funding   | funding settlements      |
 * | `BASE_QUOTE_SETTLE-INTERVAL-futures.json`             | freqtrade                     | candles                  |
 * | `BASE_QUOTE-INTERVAL.json`                            | freqtrade (spot)              | spot price               |
 * | `BASE_QUOTE_SETTLE-INTERVAL-funding_rate.json`        | freqtrade                     | funding settlements      |
 * | `BASE_QUOTE_SETTLE-INTERVAL-mark.json`                | freqtrade                     | mark price               |
 * | `SYM-INTERVAL.freqtrade.json`                         | freqtrade, renamed            | candles                  |
 * | `SYM[-INTERVAL]-funding_rate.freqtrade.json`          | freqtrade, renamed            | funding settlements      |
 * | `SYM-INTERVAL-mark.freqtrade.json`                    | freqtrade, renamed            | mark price               |
 *
 * - Freqtrade symbols join base and quote (`BTC_USDT_USDT` → `BTCUSDT`).
 * - A klines CSV below a directory named `markPriceKlines` is mark price; below `indexPriceKlines` or
 *   `premiumIndexKlines` it is skipped (no domain type for them).
 * - A file is SPOT when a directory in its path is named `spot` or has `spot` as a `-`/`_`/`.`-separated
 *   word (`binance-spot/`, data.binance.vision's `data/spot/…`), or when it is a freqtrade spot pair file.
 *   Spot files only produce `spotPrice` events: the domain `Candle` carries no market, so spot candles would
 *   land in the perpetual's candle series.
 * - The freqtrade names ending in `.feather` are freqtrade's Arrow (feather v2) files with the same columns
 *   (`date`, `open`, `high`, `low`, `close`, `volume`); they are read with apache-arrow. `.zip` files are
 *   undecompressed vision dumps and are listed as skipped (unzip them first). Intervals outside
 *   `CANDLE_INTERVALS` (`3d`, `1mo`, `1M`) are skipped too.
 */

export const ReplayContents = {
  CANDLES: 'candles',
  MARK: 'mark',
  FUNDING: 'funding',
  AGG_TRADES: 'aggTrades',
  TRADES: 'trades',
  METRICS: 'metrics',
  /** Binance daily `openInterestHist` value export (one column per symbol). */
  OPEN_INTEREST: 'openInterest',
  /** alternative.me Fear & Greed (market-wide). */
  FEAR_GREED: 'fearGreed',
  /** A Deribit option chain snapshot, one `get_order_book` row per option (market-wide, per currency). */
  OPTIONS_CHAIN: 'optionsChain',
} as const;
export type ReplayContent = (typeof ReplayContents)[keyof typeof ReplayContents];

/** `market-wide`: not about one perpetual (Fear & Greed, option chains); `symbol` is then '' or the option currency. */
export type ReplayMarket = 'futures' | 'spot' | 'market-wide';
/** `freqtrade-json`: one JSON array of rows; `freqtrade-feather`: the same columns in an Arrow IPC (feather v2) file. */
export type ReplayContainer = 'csv' | 'freqtrade-json' | 'freqtrade-feather' | 'fng-json';

export interface ReplayFile {
  path: string;
  symbol: string;
  market: ReplayMarket;
  content: ReplayContent;
  container: ReplayContainer;
  /** Candle interval of klines / mark files; null for the rest. */
  interval: CandleInterval | null;
  /** Files with the same stream hold the same series (they may be chained or overlap). */
  stream: string;
  /** For files holding several symbols, the header name of this symbol's value column. */
  column?: string;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface ReplayCatalog {
  files: ReplayFile[];
  /** Files that looked like market data but cannot be replayed, with why. */
  skipped: SkippedFile[];
  /** Files whose name matched no pattern. */
  ignored: string[];
}

const SYMBOL = '([A-Z0-9]{2,30})';
const INTERVAL = '(\\d{1,2}(?:mo|[smhdwM]))';
const DATE = '\\d{4}-\\d{2}(?:-\\d{2})?';
const FT_PAIR = '([A-Z0-9]+)_([A-Z0-9]+)(?:_([A-Z0-9]+))?';
const EXT = '(csv|json|feather|zip)';

interface Rule {
  re: RegExp;
  build: (m: RegExpMatchArray) => { symbol: string; content: ReplayContent; interval: string | null; container: ReplayContainer; spot?: boolean };
}

const g = (m: RegExpMatchArray, i: number): string => m[i] ?? '';

/** Order matters: the generic klines pattern comes after the named vision datasets. */
const RULES: readonly Rule[] = [
  { re: new RegExp(`^${SYMBOL}-aggTrades-${DATE}\\.${EXT}$`), build: (m) => ({ symbol: g(m, 1), content: 'aggTrades', interval: null, container: 'csv' }) },
  { re: new RegExp(`^${SYMBOL}-trades-${DATE}\\.${EXT}$`), build: (m) => ({ symbol: g(m, 1), content: 'trades', interval: null, container: 'csv' }) },
  { re: new RegExp(`^${SYMBOL}-metrics-${DATE}\\.${EXT}$`), build: (m) => ({ symbol: g(m, 1), content: 'metrics', interval: null, container: 'csv' }) },
  { re: new RegExp(`^${SYMBOL}-fundingRate-${DATE}\\.${EXT}$`), build: (m) => ({ symbol: g(m, 1), content: 'funding', interval: null, container: 'csv' }) },
  {
    re: new RegExp(`^${SYMBOL}(?:-${INTERVAL})?-funding_rate\\.freqtrade\\.${EXT}$`),
    build: (m) => ({ symbol: g(m, 1), content: 'funding', interval: null, container: 'freqtrade-json' }),
  },
  {
    re: new RegExp(`^${SYMBOL}-${INTERVAL}-mark\\.freqtrade\\.${EXT}$`),
    build: (m) => ({ symbol: g(m, 1), content: 'mark', interval: g(m, 2), container: 'freqtrade-json' }),
  },
  {
    re: new RegExp(`^${SYMBOL}-${INTERVAL}\\.freqtrade\\.${EXT}$`),
    build: (m) => ({ symbol: g(m, 1), content: 'candles', interval: g(m, 2), container: 'freqtrade-json' }),
  },
  {
    re: new RegExp(`^${FT_PAIR}-${INTERVAL}-(futures|mark|funding_rate)\\.${EXT}$`),
    build: (m) => ({
      symbol: g(m, 1) + g(m, 2),
      content: g(m, 5) === 'mark' ? 'mark' : g(m, 5) === 'funding_rate' ? 'funding' : 'candles',
      interval: g(m, 5) === 'funding_rate' ? null : g(m, 4),
      container: 'freqtrade-json',
    }),
  },
  {
    // freqtrade spot pairs have no settle currency and no suffix: BTC_USDT-5m.json
    re: new RegExp(`^([A-Z0-9]+)_([A-Z0-9]+)-${INTERVAL}\\.${EXT}$`),
    build: (m) => ({ symbol: g(m, 1) + g(m, 2), content: 'candles', interval: g(m, 3), container: 'freqtrade-json', spot: true }),
  },
  {
    re: new RegExp(`^${SYMBOL}-${INTERVAL}(?:-${DATE})?\\.${EXT}$`),
    build: (m) => ({ symbol: g(m, 1), content: 'candles', interval: g(m, 2), container: 'csv' }),
  },
];

const SPOT_SEGMENT = /(^|[-_.])spot([-_.]|$)/i;
const SKIPPED_KLINE_DIRS = new Set(['indexPriceKlines', 'premiumIndexKlines']);

function isInterval(value: string): value is CandleInterval {
  return (CANDLE_INTERVALS as readonly string[]).includes(value);
}

/**
 * Recordings known by name that the replay does not read, with why (SOURCES.md has the details). Checked
 * before the market-data patterns.
 */
const NOT_READ: readonly { test: (name: string, dirs: readonly string[]) => boolean; reason: string }[] = [
  {
    test: (name, dirs) => name === 'liquidations.csv' && dirs.some((d) => d.toLowerCase().startsWith('hyperliquid')),
    reason: 'Hyperliquid account-level liquidations have no coin, side, price or size column: they cannot be matched to a market',
  },
  {
    test: (_name, dirs) => dirs.some((d) => d.toLowerCase() === 'okx'),
    reason:
      'OKX recording: a replay serves one venue under venue-less symbols, so OKX SOL-USDT-SWAP would pass for the Binance SOLUSDT the other files hold; its long/short and taker series are OKX aggregates over all SOL contracts and its OI has no contract count',
  },
  { test: (name) => name.endsWith('.jsonl.zst'), reason: 'zstd cryptofeed v3 recording (tens of seconds of raw WebSocket frames): not read' },
  { test: (name) => /^[a-z0-9]+_\d{8}\.gz$/.test(name), reason: 'raw WebSocket capture (hftbacktest gzip, minutes of trades and books): not read' },
  {
    test: (name) => /^[A-Z_]+\.(?:ws\.|http\.)?[\d.]*\d\.txt$/.test(name),
    reason: 'raw cryptofeed recording (seconds of REST/WebSocket messages, ten Deribit option tickers rather than a chain): not read',
  },
];

const OI_HIST = /^openInterestHist-(\d{1,2}[mhd])-sumOpenInterestValue-([A-Z0-9]+(?:-[A-Z0-9]+)*)-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv$/;
const FNG = /^alternative-me-fng-[\w.-]*\.(csv|json)$/;
const OPTIONS_CHAIN = /^([A-Z]{2,10})-options-chain-[\w.-]*\.csv$/;

/**
 * Market-wide recordings and the multi-symbol open-interest export, recognised by their (lower-case)
 * names:
 *
 * | pattern (file name)                                          | content                                   |
 * |--------------------------------------------------------------|-------------------------------------------|
 * | `openInterestHist-1d-sumOpenInterestValue-SYM-SYM-D_D.csv`   | daily OI value (USD), one file per symbol |
 * | `alternative-me-fng-*.csv` / `.json`                         | Fear & Greed (CSV history / API response) |
 * | `CUR-options-chain-*.csv`                                    | Deribit option chain snapshot (`CUR` = BTC) |
 */
function classifySpecial(path: string, name: string): ReplayFile[] | null {
  const oi = OI_HIST.exec(name);
  if (oi) {
    return (oi[2] ?? '').split('-').map((symbol) => ({
      path,
      symbol,
      market: 'futures' as const,
      content: ReplayContents.OPEN_INTEREST,
      container: 'csv' as const,
      interval: null,
      stream: `futures:openInterest:${symbol}:`,
      column: `${symbol.replace(/USDT$|USDC$|USD$/, '').toLowerCase()}_oi_value_usd`,
    }));
  }
  const fng = FNG.exec(name);
  if (fng) {
    const container = fng[1] === 'json' ? ('fng-json' as const) : ('csv' as const);
    return [{ path, symbol: '', market: 'market-wide', content: ReplayContents.FEAR_GREED, container, interval: null, stream: `market-wide:fearGreed:${container}` }];
  }
  const chain = OPTIONS_CHAIN.exec(name);
  if (chain) {
    const currency = chain[1] ?? '';
    return [{ path, symbol: currency, market: 'market-wide', content: ReplayContents.OPTIONS_CHAIN, container: 'csv', interval: null, stream: `market-wide:optionsChain:${currency}` }];
  }
  return null;
}

/**
 * Classifies one path into the files it holds (several for a multi-symbol export), a skip reason
 * (recognised but not replayable) or null (not market data by name).
 */
export function classifyAll(path: string): ReplayFile[] | SkippedFile | null {
  const name = basename(path);
  const dirs = path.split(sep).slice(0, -1);
  const notRead = NOT_READ.find((r) => r.test(name, dirs));
  if (notRead) return { path, reason: notRead.reason };
  const special = classifySpecial(path, name);
  if (special) return special;
  const one = classifyFile(path);
  return one === null ? null : isReplayFile(one) ? [one] : one;
}

/**
 * Classifies one path by the per-symbol patterns above. Returns a file, a skip reason (recognised but not
 * replayable) or null (not market data by name).
 */
export function classifyFile(path: string): ReplayFile | SkippedFile | null {
  const name = basename(path);
  const dirs = path.split(sep).slice(0, -1);
  for (const rule of RULES) {
    const m = name.match(rule.re);
    if (!m) continue;
    const found = rule.build(m);
    const ext = name.slice(name.lastIndexOf('.') + 1);
    if (ext === 'zip') return { path, reason: 'zipped dump: unzip it next to the archive first' };
    if (found.container === 'freqtrade-json' && ext === 'feather') found.container = 'freqtrade-feather';
    const wantExt = found.container === 'csv' ? 'csv' : found.container === 'freqtrade-feather' ? 'feather' : 'json';
    if (ext !== wantExt) return null;
    let content = found.content;
    if (found.container === 'csv' && content === 'candles') {
      const special = dirs.find((d) => SKIPPED_KLINE_DIRS.has(d));
      if (special) return { path, reason: `${special} have no domain type` };
      if (dirs.includes('markPriceKlines')) content = 'mark';
    }
    let interval: CandleInterval | null = null;
    if (found.interval !== null && content !== 'funding') {
      if (!isInterval(found.interval)) return { path, reason: `interval ${found.interval} is not a supported candle interval` };
      interval = found.interval;
    }
    const market: ReplayMarket = found.spot === true || dirs.some((d) => SPOT_SEGMENT.test(d)) ? 'spot' : 'futures';
    if (market === 'spot' && (content === 'mark' || content === 'funding' || content === 'metrics')) {
      return { path, reason: `${content} data in a spot folder` };
    }
    const stream = [market, content, found.symbol, interval ?? ''].join(':');
    return { path, symbol: found.symbol, market, content, container: found.container, interval, stream };
  }
  return null;
}

export function isReplayFile(x: ReplayFile | SkippedFile): x is ReplayFile {
  return 'symbol' in x;
}

function walk(dir: string, recursive: boolean, out: string[]): void {
  const entries = readdirSync(dir, { withFileTypes: true });
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (recursive && !entry.name.startsWith('.')) walk(full, recursive, out);
    } else if (entry.isFile() || (entry.isSymbolicLink() && statSync(full).isFile())) {
      out.push(full);
    }
  }
}

/**
 * Lists and classifies every file under `dirs` (a directory or a single file each), in path order.
 * Throws when a path does not exist: a mistyped REPLAY_DIR must not look like "no data".
 */
export function scanReplayDirs(dirs: readonly string[], options: { recursive?: boolean } = {}): ReplayCatalog {
  const recursive = options.recursive ?? true;
  const paths: string[] = [];
  for (const dir of dirs) {
    const abs = resolve(dir);
    const stat = statSync(abs);
    if (stat.isDirectory()) walk(abs, recursive, paths);
    else paths.push(abs);
  }
  const unique = [...new Set(paths)].sort();
  const catalog: ReplayCatalog = { files: [], skipped: [], ignored: [] };
  for (const path of unique) {
    const result = classifyAll(path);
    if (result === null) catalog.ignored.push(path);
    else if (Array.isArray(result)) catalog.files.push(...result);
    else catalog.skipped.push(result);
  }
  return catalog;
}

/** `REPLAY_DIR` may name several directories, separated by commas. */
export function parseReplayDirs(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * The perpetual symbols a set of recordings holds, sorted: the default SYMBOLS of a replay, so a replay of
 * any recordings starts without the user first listing what is in them. Spot-only symbols are left out
 * (the analyses are built on perpetual-futures data).
 */
export function replayPerpetualSymbols(dirs: readonly string[]): string[] {
  const catalog = scanReplayDirs(dirs);
  return [...new Set(catalog.files.filter((f) => f.market === 'futures').map((f) => f.symbol))].sort();
}
