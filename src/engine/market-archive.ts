import { CANDLE_INTERVALS, INTERVAL_MS, type CandleInterval, type DataOrigin, type FearGreed, type MarketEvent, type StatPeriod } from '../domain/market.js';
import { MAX_ARCHIVE_ROWS_PER_INSERT, type ArchiveRecord, type ArchiveRow, type ArchiveStore, type ArchiveTypeStats } from '../db/archive-repository.js';
import type { MarketEventSink, ResumePoints } from '../datasources/market-data-source.js';
import { silentLogger, type Logger } from '../db/logger.js';
import { createBatchWriter, type BatchWriter, type BatchWriterStats } from './batch-writer.js';
import type { MarketStoreLimits } from './market-store.js';
import { ARCHIVE_RECORD_TYPES, type ArchiveRetention } from '../domain/retention.js';

/**
 * The market-data archive: the raw inputs the engine consumes, persisted as they arrive (a tap on the
 * source's sink, batched like snapshots with the same bounded outage buffer and drop counter), and read
 * back into the market store on the next start so a restart does not warm up again; the venue is then
 * asked only for the gap (the `ResumePoints` handed to `MarketDataSource.start`).
 *
 * What is archived (README "Archive"): closed candles of every interval; funding settlements; mark/index
 * prices and live open interest sampled once per `sampleMs` (default a minute: they arrive every second);
 * open-interest history, long/short ratios, taker volume and basis rows as published; every liquidation;
 * trades of at least `tradeMinUsd`; an options chain per currency once per `optionsSampleMs`; every Fear
 * & Greed value and global-market observation. Order books, book tickers, 24 h tickers and spot prices are
 * not: they are snapshots of the moment, re-read within seconds of a start.
 *
 * Restore reads, per series, as many rows as the store keeps, but only series the source can continue
 * without a hole: a series whose newest archived row is further back than the venue can backfill
 * (`fillable`) is left to the venue's normal backfill, so analyses never compute across a silent gap.
 */

export interface FillableHistory {
  /** Candles the source fetches for a gap per interval (Binance klinesRange: any range; capped by the store). */
  candleBars: number;
  /** Rows of one statistics series the source fetches for a gap (Binance /futures/data: 500 per page). */
  statRows: number;
  /** Funding settlements the source fetches for a gap (Binance fundingRate: 1000). */
  fundingRows: number;
}

export interface MarketArchiveOptions {
  store: ArchiveStore;
  /** The source whose data this archive writes and restores (rows of other venues or origins are never read back). */
  venue: string;
  origin: DataOrigin;
  flushEveryMs: number;
  maxBuffered: number;
  /** Mark price and live open interest: at most one row per this many ms per symbol. */
  sampleMs: number;
  /** Options chain: at most one row per this many ms per currency. */
  optionsSampleMs: number;
  /** Trades of at least this notional (USD) are archived. */
  tradeMinUsd: number;
  /** How far back the source can backfill a gap after a restore. */
  fillable: FillableHistory;
  /** Age per type after which rows are deleted (parseArchiveRetention). */
  retention: ArchiveRetention;
  /** How often the retention pass runs (it refreshes the per-type stats too). */
  pruneEveryMs: number;
  /** Rows deleted per statement (PGlite runs on this thread). Default 5 000. */
  pruneChunkRows?: number;
  now: () => number;
  logger?: Logger;
}

export interface RestoreResult {
  /** Events pushed into the sink. */
  events: number;
  /** Series restored and series skipped because their gap was longer than the venue can fill. */
  series: number;
  skipped: number;
  ms: number;
  resume: ResumePoints;
}

export interface MarketArchiveStats extends BatchWriterStats {
  /** Rows, bytes and time span per type, as of the last `refreshStats` (null before the first). */
  types: ArchiveTypeStats[] | null;
  statsAt: number | null;
  /** Rows deleted by retention since start. */
  pruned: number;
  lastPruneError: string | null;
}

export interface MarketArchive {
  /** Taps one market event (never blocks, never throws). */
  record(event: MarketEvent): void;
  /**
   * Pushes the archived history of `symbols` into `sink` (oldest first per series) and says where the source
   * should resume. `until` (default now) bounds every series: only rows with time ≤ until, and candles only
   * when closed by then (closeTime ≤ until), so a store restored at a past instant holds nothing after it.
   */
  restore(symbols: readonly string[], sink: MarketEventSink, limits: MarketStoreLimits, options?: { until?: number }): Promise<RestoreResult>;
  /** Per candle interval archived for `symbol`, the close of its oldest bar (how far back time travel reaches). */
  reach(symbol: string): Promise<Array<{ interval: CandleInterval; firstCloseTime: number }>>;
  /** Re-reads rows and bytes per type (one GROUP BY per table; the retention job calls it after each pass). */
  refreshStats(): Promise<ArchiveTypeStats[]>;
  /** One retention pass: deletes rows older than their type's age; resolves with the rows deleted. */
  prune(): Promise<number>;
  /** Starts the periodic retention pass (the first one soon after start, for the stats). */
  start(): void;
  flush(): Promise<void>;
  stop(): Promise<BatchWriterStats>;
  stats(): MarketArchiveStats;
}

/** Long/short series are (kind, period); taker volume and basis by period. */
const seriesKey = {
  longShort: (kind: string, period: StatPeriod) => `${kind}:${period}`,
};

/** Statistics periods are candle intervals too ('5m' … '1d'). */
const STAT_PERIOD_MS: Readonly<Record<StatPeriod, number>> = INTERVAL_MS;
const FUNDING_PERIOD_MS = 8 * 3_600_000;

export function createMarketArchive(options: MarketArchiveOptions): MarketArchive {
  const { store, venue, origin, sampleMs, optionsSampleMs, tradeMinUsd, fillable, now } = options;
  const logger = options.logger ?? silentLogger;
  const source: string = origin;
  const writer: BatchWriter<ArchiveRow> = createBatchWriter<ArchiveRow>({
    store,
    what: 'archive row',
    maxBatchSize: MAX_ARCHIVE_ROWS_PER_INSERT,
    flushEveryMs: options.flushEveryMs,
    maxBuffered: options.maxBuffered,
    logger,
  });
  /** Sampling slot last archived, per (type, symbol or currency). */
  const sampled = new Map<string, number>();
  let types: ArchiveTypeStats[] | null = null;
  let statsAt: number | null = null;
  let pruned = 0;
  let lastPruneError: string | null = null;
  let pruneTimer: NodeJS.Timeout | undefined;
  let pruning: Promise<number> | undefined;
  let stopped = false;
  const chunkRows = options.pruneChunkRows ?? 5_000;

  async function refreshStats(): Promise<ArchiveTypeStats[]> {
    types = await store.stats();
    statsAt = now();
    return types;
  }

  async function pruneOnce(): Promise<number> {
    const { retention } = options;
    const at = now();
    let deleted = 0;
    const finite = (age: number | undefined): age is number => age !== undefined && Number.isFinite(age);
    const ownIntervals = [...retention.keys()].filter((k) => k.startsWith('candle:')).map((k) => k.slice('candle:'.length));
    for (const interval of ownIntervals) {
      const age = retention.get(`candle:${interval}`);
      if (finite(age)) deleted += await store.pruneCandles(interval, at - age, [], chunkRows);
    }
    const candleAge = retention.get('candle') ?? retention.get('default');
    if (finite(candleAge)) deleted += await store.pruneCandles(null, at - candleAge, ownIntervals, chunkRows);
    const ownTypes = ARCHIVE_RECORD_TYPES.filter((t) => retention.has(t));
    for (const type of ownTypes) {
      const age = retention.get(type);
      if (finite(age)) deleted += await store.pruneRecords(type, at - age, [], chunkRows);
    }
    const defaultAge = retention.get('default');
    if (finite(defaultAge)) deleted += await store.pruneRecords(null, at - defaultAge, ownTypes, chunkRows);
    pruned += deleted;
    await refreshStats();
    return deleted;
  }

  function prune(): Promise<number> {
    pruning ??= pruneOnce()
      .then((n) => {
        lastPruneError = null;
        if (n > 0) logger.info({ deleted: n }, 'archive retention pass');
        return n;
      })
      .catch((err: unknown) => {
        lastPruneError = err instanceof Error ? err.message : String(err);
        logger.warn({ err }, 'archive retention pass failed');
        return 0;
      })
      .finally(() => (pruning = undefined));
    return pruning;
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    pruneTimer = setTimeout(() => void prune().then(() => schedule(options.pruneEveryMs)), delayMs);
    pruneTimer.unref();
  }

  const put = (type: string, symbol: string, series: string, time: number, key: string, payload: unknown) =>
    writer.enqueue({ table: 'record', row: { venue, source, type, symbol, series, time, key, payload } });

  /** True once per `every` ms slot of `time` for `id`. */
  function firstInSlot(id: string, time: number, every: number): boolean {
    const slot = Math.floor(time / every);
    if (sampled.get(id) === slot) return false;
    sampled.set(id, slot);
    return true;
  }

  function record(event: MarketEvent): void {
    try {
      switch (event.type) {
        case 'candle':
          if (event.candle.closed) writer.enqueue({ table: 'candle', row: { venue, source, candle: event.candle } });
          return;
        case 'funding':
          return put('funding', event.funding.symbol, '', event.funding.fundingTime, '', event.funding);
        case 'markPrice':
          if (firstInSlot(`mark|${event.mark.symbol}`, event.mark.time, sampleMs)) put('markPrice', event.mark.symbol, '', event.mark.time, '', event.mark);
          return;
        case 'openInterest': {
          const oi = event.openInterest;
          // History rows (5-minute grid) always; live polls once per sample slot.
          if (oi.time % 300_000 === 0 || firstInSlot(`oi|${oi.symbol}`, oi.time, sampleMs)) put('openInterest', oi.symbol, '', oi.time, '', oi);
          return;
        }
        case 'longShortRatio':
          return put('longShortRatio', event.ratio.symbol, seriesKey.longShort(event.ratio.kind, event.ratio.period), event.ratio.time, '', event.ratio);
        case 'takerVolume':
          return put('takerVolume', event.volume.symbol, event.volume.period, event.volume.time, '', event.volume);
        case 'basis':
          return put('basis', event.basis.symbol, event.basis.period, event.basis.time, '', event.basis);
        case 'liquidation': {
          const l = event.liquidation;
          return put('liquidation', l.symbol, '', l.time, `${l.side}:${l.averagePrice}:${l.qty}`, l);
        }
        case 'trade': {
          const t = event.trade;
          if (t.price * t.qty >= tradeMinUsd) put('trade', t.symbol, '', t.time, String(t.id), t);
          return;
        }
        case 'optionsChain':
          if (firstInSlot(`options|${event.chain.currency}`, event.chain.time, optionsSampleMs)) put('optionsChain', '', event.chain.currency, event.chain.time, '', event.chain);
          return;
        case 'fearGreed':
          for (const item of event.history ?? []) put('fearGreed', '', '', item.time, '', item);
          return put('fearGreed', '', '', event.fearGreed.time, '', event.fearGreed);
        case 'globalMarket':
          return put('globalMarket', '', '', event.global.time, '', event.global);
        default:
          return;
      }
    } catch (err) {
      logger.warn({ err, type: event.type }, 'archive tap failed for one event');
    }
  }

  async function restore(symbols: readonly string[], sink: MarketEventSink, limits: MarketStoreLimits, restoreOptions: { until?: number } = {}): Promise<RestoreResult> {
    const started = performance.now();
    const at = restoreOptions.until ?? now();
    const candleFrom = new Map<string, number>();
    const fundingFrom = new Map<string, number>();
    const seriesFrom = new Map<string, number>();
    let events = 0;
    let series = 0;
    let skipped = 0;
    const push = (event: MarketEvent) => {
      events += 1;
      sink(event);
    };
    /** Restores a series only when the venue can fill the time since its newest row. */
    const fillableGap = (newest: number, stepMs: number, rows: number) => at - newest <= stepMs * rows;
    // A turn of the event loop after every read: PGlite answers on this thread and resolves its queries as
    // microtasks, so back-to-back reads would hold the loop for the whole restore (hundreds of ms a symbol).
    const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
    const records = async (type: string, symbol: string, limit: number) => {
      const rows = await store.records({ venue, source, type, symbol, limit, until: at });
      await turn();
      return rows;
    };

    for (const symbol of symbols) {
      const intervals = (await store.intervals({ venue, source, symbol })).filter((i): i is CandleInterval => (CANDLE_INTERVALS as readonly string[]).includes(i));
      for (const interval of intervals) {
        // The archive bounds bars by their open; one more is read so the bar still open at `at` can be dropped.
        const candles = (await store.candles({ venue, source, symbol, interval, limit: limits.candlesPerInterval + 1, until: at }))
          .filter((c) => c.closeTime <= at)
          .slice(-limits.candlesPerInterval);
        await turn();
        const newest = candles.at(-1);
        if (!newest) continue;
        if (!fillableGap(newest.closeTime, INTERVAL_MS[interval], Math.min(fillable.candleBars, limits.candlesPerInterval))) {
          skipped += 1;
          continue;
        }
        series += 1;
        for (const candle of candles) push({ type: 'candle', candle });
        candleFrom.set(`${symbol}|${interval}`, newest.openTime);
      }

      const funding = await records('funding', symbol, limits.fundingSettlements);
      const lastFunding = funding.at(-1);
      if (lastFunding && fillableGap(lastFunding.time, FUNDING_PERIOD_MS, fillable.fundingRows)) {
        series += 1;
        for (const r of funding) push({ type: 'funding', funding: r.payload as never });
        fundingFrom.set(symbol, lastFunding.time);
      } else if (lastFunding) skipped += 1;

      // Statistics series: each restored only when its gap is fillable; the source resumes each after its newest row.
      const statSeries: Array<{ type: string; resumeKey: (r: ArchiveRecord) => string | null; toEvent: (r: ArchiveRecord) => MarketEvent }> = [
        { type: 'openInterest', resumeKey: () => 'oi', toEvent: (r) => ({ type: 'openInterest', openInterest: r.payload as never }) },
        { type: 'longShortRatio', resumeKey: (r) => `ls:${r.series.split(':')[0]}`, toEvent: (r) => ({ type: 'longShortRatio', ratio: r.payload as never }) },
        { type: 'takerVolume', resumeKey: () => 'taker', toEvent: (r) => ({ type: 'takerVolume', volume: r.payload as never }) },
        { type: 'basis', resumeKey: () => 'basis', toEvent: (r) => ({ type: 'basis', basis: r.payload as never }) },
      ];
      for (const spec of statSeries) {
        const rows = await records(spec.type, symbol, limits.statistics);
        const bySeries = new Map<string, ArchiveRecord[]>();
        for (const r of rows) bySeries.set(r.series, [...(bySeries.get(r.series) ?? []), r]);
        for (const [name, list] of bySeries) {
          const newest = list.at(-1)!;
          const period = (name.split(':').at(-1) ?? '5m') as StatPeriod;
          if (!fillableGap(newest.time, STAT_PERIOD_MS[period] ?? 300_000, fillable.statRows)) {
            skipped += 1;
            continue;
          }
          series += 1;
          for (const r of list) push(spec.toEvent(r));
          const key = spec.resumeKey(newest);
          if (key) seriesFrom.set(`${symbol}|${key}`, Math.max(newest.time, seriesFrom.get(`${symbol}|${key}`) ?? 0));
        }
      }

      // Liquidations are events, not a series the venue can re-send: restored as archived (their age shows in meta).
      const liquidations = await records('liquidation', symbol, limits.liquidations);
      if (liquidations.length > 0) series += 1;
      for (const r of liquidations) push({ type: 'liquidation', liquidation: r.payload as never });

      // The last mark/index: the store keeps only the newest; its age flags it stale until the venue's next one.
      const [mark] = (await records('markPrice', symbol, 1)).slice(-1);
      if (mark) push({ type: 'markPrice', mark: mark.payload as never });
    }

    // Market-wide: the newest chain per currency, the sentiment and global-market histories.
    for (const r of await records('optionsChain', '', 1)) push({ type: 'optionsChain', chain: r.payload as never });
    const fearGreed = (await records('fearGreed', '', limits.fearGreedHistory)).map((r) => r.payload as FearGreed);
    const newestFng = fearGreed.at(-1);
    if (newestFng) push({ type: 'fearGreed', fearGreed: newestFng, history: fearGreed.slice(0, -1) });
    for (const r of await records('globalMarket', '', limits.globalMarketHistory)) push({ type: 'globalMarket', global: r.payload as never });

    const ms = Math.round(performance.now() - started);
    logger.info({ events, series, skipped, ms }, 'market store restored from the archive');
    return {
      events,
      series,
      skipped,
      ms,
      resume: {
        candle: (symbol, interval) => candleFrom.get(`${symbol}|${interval}`),
        funding: (symbol) => fundingFrom.get(symbol),
        series: (symbol, key) => seriesFrom.get(`${symbol}|${key}`),
      },
    };
  }

  async function reach(symbol: string): Promise<Array<{ interval: CandleInterval; firstCloseTime: number }>> {
    const out: Array<{ interval: CandleInterval; firstCloseTime: number }> = [];
    for (const interval of CANDLE_INTERVALS) {
      const first = await store.firstCandle({ venue, source, symbol, interval });
      if (first) out.push({ interval, firstCloseTime: first.closeTime });
    }
    return out;
  }

  return {
    record,
    restore,
    reach,
    refreshStats,
    prune,
    start: () => schedule(Math.min(10_000, options.pruneEveryMs)),
    flush: () => writer.flush(),
    async stop() {
      stopped = true;
      clearTimeout(pruneTimer);
      await pruning;
      return writer.stop();
    },
    stats: () => ({ ...writer.stats(), types, statsAt, pruned, lastPruneError }),
  };
}
