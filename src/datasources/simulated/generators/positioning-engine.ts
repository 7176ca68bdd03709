import type { Liquidation, MarketEvent } from '../../../domain/market.js';
import { baselineMinuteVariance } from '../core.js';
import { clamp, decimalsOf, roundTo } from '../numeric.js';
import { symbolProfile, type SymbolProfile } from '../profiles.js';
import { createRng, deriveSeed } from '../random.js';
import { DAY_MS, floorTo, MINUTE_MS, SECOND_MS, STAT_PERIOD_MS } from '../time.js';
import { anchoredMinute, bounded } from './anchored-bars.js';
import { minuteInside } from './anchored-trades.js';
import { drawPosition, LIQUIDATION_PARAMS, liquidationFill, liquidationRecord, type LiquidationParams, type PositionSeed } from './liquidations.js';
import {
  longShortRecords,
  openInterestRecord,
  POSITIONING_PARAMS,
  takerVolumeRecord,
  type LongShortShares,
  type PositioningParams,
  type TakerPeriodSeed,
} from './positioning.js';
import { activityFactor, expectedDailyVolume, TRADE_PARAMS } from './trades.js';
import type { SecondContext, SymbolStreamGenerator, TimedEvent } from './types.js';

/**
 * Open interest, the long/short ratios and liquidations of the simulated venue as a function of
 * (seed, symbol, time) only. The same engine runs in the backfill and live (live only advances it minute by
 * minute), fed by the venue's minute bars (`anchored-bars.ts`) and each minute's one-second path
 * (`anchored-trades.ts`), themselves functions of (seed, symbol, minute). Nothing depends on when a run started:
 *
 * - **Crowd state** (OI level, trend, flow lean, the three share noises; `positioning.ts`) is restarted on a
 *   fixed UTC grid every `CROWD_GRID_MS` (5 days, from the epoch) from a fixed state (OI at its target,
 *   everything else 0). The run started at grid point g warms up over [g, g + 5 d) and publishes over
 *   [g + 5 d, g + 10 d); two runs are kept, the publishing one and the next. Their shocks come from per-day
 *   streams seeded by (seed, symbol, day), so both runs see the same shocks for the same minute and their
 *   difference only decays: at the switch the OI (12 h half-life) keeps 2⁻¹⁰ of it, the other terms less.
 * - **Position book** (the leveraged positions that get liquidated; `liquidations.ts`). Positions open from
 *   per-minute streams seeded by (seed, symbol, minute) and the crowd's long share then; each one's fate (the
 *   first second whose path crosses its liquidation price, else its exit) depends on the path after its
 *   opening only, and no position is held longer than `maxHoldS` (6 h). So the book at time t is the set of
 *   positions opened in (t − 6 h, t] still open: a function of time. A book started empty at any minute B is
 *   exact from B + 6 h on (`BOOK_HORIZON_MS`), which is all the warm-up the backfill needs.
 * - **OI dent**: a liquidation takes its quantity out of the open interest, recovering with a 2 h half-life
 *   (`DENT_HALF_LIFE_MINUTES`): published OI = crowd OI − Σ qty · 2^(−age / 2 h) over the liquidated
 *   positions opened in the last 6 h (those the book knows), floored at a quarter of the target.
 *
 * Each minute, for each second s of the minute's path P: positions due by the second's start close, positions
 * whose liquidation price lies in [min(P_s, P_s+1), max(P_s, P_s+1)] are liquidated (longs from the highest liquidation price down, shorts from
 * the lowest up, stamped at their own millisecond in the second), and the minute's new positions opening in
 * that second enter at its close. Poisson(`openRate` × 60 × activity)
 * positions open per minute, long with probability = the retail long share + `flowSideLean` × the minute
 * bar's taker imbalance.
 *
 * A backfill at any time therefore equals what a live run produced for the same minutes, and two runs with
 * the same seed agree on every shared minute.
 */

/** Crowd state restart grid (and warm-up length). */
export const CROWD_GRID_MS = 5 * DAY_MS;
/** The book at t holds only positions opened after t minus this (the longest holding time). */
export const BOOK_HORIZON_MS = LIQUIDATION_PARAMS.maxHoldS * SECOND_MS;
/** Half-life of the open-interest dent a liquidation leaves. */
export const DENT_HALF_LIFE_MINUTES = 120;
/** The long/short lean looks at the log return over this many minutes. */
export const LEAN_MINUTES = POSITIONING_PARAMS.leanWindowMinutes;

const FLOW_EWMA = 0.1;
/** Normals drawn per minute for the crowd: OI noise and the three share noises. */
const CROWD_SHOCKS = 4;
const DAY_MINUTES = 1_440;

/** A leveraged position of the book. `id` orders ties; `phase` is where in its second a liquidation prints. */
export interface Position extends PositionSeed {
  id: number;
  /** Milliseconds into the second at which its liquidation is stamped (0–999). */
  phase: number;
  /** When it opened (epoch ms). */
  openedAt: number;
}

interface BookEntry extends Position {
  alive: boolean;
}

/**
 * A binary min-heap of book entries by a numeric key (ties by id), with lazy deletion: dead entries are
 * skipped at the top. Keys live in a parallel array so the comparisons stay monomorphic.
 */
class EntryHeap {
  items: BookEntry[] = [];
  keys: number[] = [];
  constructor(private readonly keyOf: (e: BookEntry) => number) {}

  push(entry: BookEntry): void {
    const { items, keys } = this;
    const key = this.keyOf(entry);
    let i = items.length;
    items.push(entry);
    keys.push(key);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = keys[parent]!;
      if (pk < key || (pk === key && items[parent]!.id < entry.id)) break;
      items[i] = items[parent]!;
      keys[i] = pk;
      i = parent;
    }
    items[i] = entry;
    keys[i] = key;
  }

  /** Key of the first live entry (dead ones at the top are dropped); Infinity when empty. */
  topKey(): number {
    const { items } = this;
    while (items.length > 0 && !items[0]!.alive) this.pop();
    return items.length > 0 ? this.keys[0]! : Infinity;
  }

  pop(): BookEntry | undefined {
    const { items, keys } = this;
    const top = items[0];
    const last = items.pop()!;
    const lastKey = keys.pop()!;
    const n = items.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        if (r < n) {
          const kr = keys[r]!;
          const kl = keys[l]!;
          if (kr < kl || (kr === kl && items[r]!.id < items[l]!.id)) c = r;
        }
        const kc = keys[c]!;
        if (kc > lastKey || (kc === lastKey && items[c]!.id > last.id)) break;
        items[i] = items[c]!;
        keys[i] = kc;
        i = c;
      }
      items[i] = last;
      keys[i] = lastKey;
    }
    return top;
  }

  /** Drop the dead entries. */
  rebuild(): void {
    const alive = this.items.filter((e) => e.alive);
    this.items = [];
    this.keys = [];
    for (const e of alive) this.push(e);
  }
}

/**
 * The book of open positions as three heaps: longs by liquidation price (highest first), shorts by liquidation
 * price (lowest first) and all by exit time (earliest first), ties by id. A move takes only the positions it
 * crosses, expiry only the positions due: O(log n) per position instead of a scan of the book each second,
 * so the 6 h warm-up stays cheap. No capacity: the holding-time cap bounds it (and a capacity rule would make
 * one position's fate depend on the others').
 */
export class LadderBook {
  private readonly longs = new EntryHeap((e) => -e.liquidationPrice);
  private readonly shorts = new EntryHeap((e) => e.liquidationPrice);
  private readonly exits = new EntryHeap((e) => e.exitAt);
  private count = 0;

  constructor(positions: readonly Position[] = []) {
    for (const p of positions) this.add(p);
  }

  get size(): number {
    return this.count;
  }

  /** Highest liquidation price of a long (−Infinity without longs). */
  get highestLong(): number {
    return -this.longs.topKey();
  }

  /** Lowest liquidation price of a short (Infinity without shorts). */
  get lowestShort(): number {
    return this.shorts.topKey();
  }

  /** Earliest exit time (Infinity when empty). */
  get nextExit(): number {
    return this.exits.topKey();
  }

  add(p: Position): void {
    const entry: BookEntry = { id: p.id, side: p.side, leverage: p.leverage, entry: p.entry, liquidationPrice: p.liquidationPrice, qty: p.qty, exitAt: p.exitAt, phase: p.phase, openedAt: p.openedAt, alive: true };
    (entry.side > 0 ? this.longs : this.shorts).push(entry);
    this.exits.push(entry);
    this.count += 1;
  }

  private remove(entry: BookEntry): void {
    if (!entry.alive) return;
    entry.alive = false;
    this.count -= 1;
  }

  /** Keep the heaps from filling with dead entries. */
  private compact(): void {
    const limit = 2 * this.count + 256;
    if (this.longs.items.length > limit) this.longs.rebuild();
    if (this.shorts.items.length > limit) this.shorts.rebuild();
    if (this.exits.items.length > limit) this.exits.rebuild();
  }

  /** Remove the positions due to close at or before `time`. */
  expire(time: number): void {
    if (this.exits.topKey() > time) return;
    while (this.exits.topKey() <= time) this.remove(this.exits.pop()!);
    this.compact();
  }

  /**
   * Remove and return the positions a move through [low, high] liquidates: longs with liquidation price
   * ≥ `low` (highest first), then shorts with liquidation price ≤ `high` (lowest first).
   */
  takeCrossed(low: number, high: number): Position[] {
    const out: Position[] = [];
    while (-this.longs.topKey() >= low) {
      const e = this.longs.pop()!;
      this.remove(e);
      out.push(e);
    }
    while (this.shorts.topKey() <= high) {
      const e = this.shorts.pop()!;
      this.remove(e);
      out.push(e);
    }
    if (out.length > 0) this.compact();
    return out;
  }

  /** The open positions, by id (plain data: the engine state crosses the history worker's boundary). */
  snapshot(): Position[] {
    return this.exits.items
      .filter((e) => e.alive)
      .map((e) => ({ id: e.id, side: e.side, leverage: e.leverage, entry: e.entry, liquidationPrice: e.liquidationPrice, qty: e.qty, exitAt: e.exitAt, phase: e.phase, openedAt: e.openedAt }))
      .sort((a, b) => a.id - b.id);
  }
}

// --- Engine state (plain data) ---

export interface CrowdRunState {
  /** Grid point the run was started at. */
  startedAt: number;
  openInterest: number;
  trend: number;
  flowEwma: number;
  noise: [number, number, number];
  leanZ: number;
  prevLogClose: number | null;
}

/** A liquidated position still counted in the open-interest dent. */
export interface DentEntry {
  /** When the position opened (it leaves the dent when that is more than `BOOK_HORIZON_MS` ago). */
  openedAt: number;
  /** When it was liquidated. */
  at: number;
  qty: number;
}

export interface BookState {
  /** The book was started empty at this minute: exact from `startedAt + BOOK_HORIZON_MS` on. */
  startedAt: number;
  positions: Position[];
  /** Liquidations of positions opened in the last `BOOK_HORIZON_MS` (older ones pruned now and then), in liquidation order. */
  dent: DentEntry[];
}

/** Everything the engine carries from one minute to the next: hand it from the backfill to the live model. */
export interface EngineState {
  /** Open time of the next minute to process. */
  time: number;
  /** The book starts (empty) at this minute. */
  bookFrom: number;
  crowd: CrowdRunState[];
  book: BookState | null;
}

/** One minute of the venue's bars, what the engine reads. */
export interface EngineBar {
  openTime: number;
  close: number;
  volume: number;
  takerBuy: number;
  varianceRatio: number;
  /** Close of the minute `LEAN_MINUTES` earlier. */
  leanClose: number;
}

export interface EngineMinute {
  /** Liquidations of the minute, in time order (empty before the book is exact). */
  liquidations: Liquidation[];
  /** Long/short shares at the end of the minute; null before a crowd run publishes. */
  shares: LongShortShares | null;
}

/**
 * Where the backfill starts the engine so that every minute from `earliest` (a minute) on is exact: the book
 * `BOOK_HORIZON_MS` before it, the crowd at the grid point whose run publishes when the book starts.
 */
export function engineStartFor(earliest: number): { crowdFrom: number; bookFrom: number } {
  const bookFrom = earliest - BOOK_HORIZON_MS;
  const crowdFrom = Math.floor(bookFrom / CROWD_GRID_MS) * CROWD_GRID_MS - CROWD_GRID_MS;
  return { crowdFrom, bookFrom };
}

function freshCrowd(startedAt: number, target: number): CrowdRunState {
  return { startedAt, openInterest: target, trend: 0, flowEwma: 0, noise: [0, 0, 0], leanZ: 0, prevLogClose: null };
}

const crowdShockCache = new Map<string, Float64Array>();

/** The crowd's unit normals of one UTC day (CROWD_SHOCKS per minute), seeded by (seed, symbol, day). */
function crowdShocks(seed: number, symbol: string, day: number): Float64Array {
  return bounded(crowdShockCache, `${seed}|${symbol}|${day}`, 64, () => {
    const rng = createRng(deriveSeed(seed, 'crowd', symbol, day));
    const out = new Float64Array(DAY_MINUTES * CROWD_SHOCKS);
    for (let i = 0; i < out.length; i++) out[i] = rng.normal();
    return out;
  });
}

export interface PositioningEngineOptions {
  seed: number;
  symbol: string;
  state: EngineState;
  positioning?: PositioningParams;
  liquidation?: LiquidationParams;
}

/** See the module comment. */
export class PositioningEngine {
  private readonly seed: number;
  private readonly profile: SymbolProfile;
  private readonly p: PositioningParams;
  private readonly lp: LiquidationParams;
  private readonly target: number;
  private readonly aTrend: number;
  private readonly trendScale: number;
  private readonly kOi: number;
  private readonly aNoise: number;
  private readonly innovation: number;
  private readonly leanScale: number;
  private time: number;
  private readonly bookFrom: number;
  private crowd: CrowdRunState[];
  private book: { startedAt: number; positions: LadderBook; dent: DentEntry[] } | null;
  private shockDay = Number.NaN;
  private shocks: Float64Array = new Float64Array(0);

  constructor(options: PositioningEngineOptions) {
    this.seed = options.seed;
    this.profile = symbolProfile(options.symbol);
    this.p = options.positioning ?? POSITIONING_PARAMS;
    this.lp = options.liquidation ?? LIQUIDATION_PARAMS;
    const p = this.p;
    const sigma = Math.sqrt(baselineMinuteVariance(this.profile));
    this.target = p.oiTurnover * expectedDailyVolume(this.profile);
    this.aTrend = Math.exp(-1 / p.trendTauMinutes);
    this.trendScale = sigma * Math.sqrt(p.trendTauMinutes / 2);
    this.kOi = 1 - Math.pow(0.5, 1 / p.oiHalfLifeMinutes);
    this.aNoise = Math.pow(0.5, 1 / p.noiseHalfLifeMinutes);
    this.innovation = p.noiseStd * Math.sqrt(1 - this.aNoise * this.aNoise);
    this.leanScale = sigma * Math.sqrt(LEAN_MINUTES);
    const s = options.state;
    this.time = s.time;
    this.bookFrom = s.bookFrom;
    this.crowd = s.crowd.map((c) => ({ ...c, noise: [...c.noise] }));
    this.book = s.book ? { startedAt: s.book.startedAt, positions: new LadderBook(s.book.positions), dent: s.book.dent.map((d) => ({ ...d })) } : null;
  }

  /** An engine whose first crowd run starts at `crowdFrom` (a grid point) and whose book starts empty at `bookFrom`. */
  static begin(seed: number, symbol: string, crowdFrom: number, bookFrom: number): PositioningEngine {
    if (crowdFrom % CROWD_GRID_MS !== 0) throw new RangeError('the crowd starts on its grid');
    if (bookFrom < crowdFrom + CROWD_GRID_MS) throw new RangeError('the book needs a published crowd');
    return new PositioningEngine({ seed, symbol, state: { time: crowdFrom, bookFrom, crowd: [], book: null } });
  }

  /** Open time of the next minute to process. */
  get nextMinute(): number {
    return this.time;
  }

  /** Open positions in the book. */
  get openPositions(): number {
    return this.book?.positions.size ?? 0;
  }

  /** The crowd run publishing at minute `openTime`. */
  private publishingCrowdAt(openTime: number): CrowdRunState | undefined {
    const startedAt = Math.floor(openTime / CROWD_GRID_MS) * CROWD_GRID_MS - CROWD_GRID_MS;
    return this.crowd.find((c) => c.startedAt === startedAt);
  }

  private shares(c: CrowdRunState): LongShortShares {
    const p = this.p;
    const lean = Math.tanh(c.leanZ / 2);
    const n = c.noise;
    const global = clamp(0.5 + p.retailTilt + p.retailLean * lean + p.flowLean * c.flowEwma + n[0], p.minShare, p.maxShare);
    return {
      GLOBAL_ACCOUNTS: global,
      TOP_ACCOUNTS: clamp(0.5 + p.topAccountsFollow * (global - 0.5) + n[1], p.minShare, p.maxShare),
      TOP_POSITIONS: clamp(0.5 + p.topPositionsTilt - p.topPositionsLean * lean + n[2], p.minShare, p.maxShare),
    };
  }

  /**
   * Process the minute opening at `nextMinute`: `bar` is its venue bar, `path()` its one-second log path
   * (61 points; called only once the book runs).
   */
  minute(bar: EngineBar, path: () => Float64Array): EngineMinute {
    const m = this.time;
    if (bar.openTime !== m) throw new RangeError(`engine expects minute ${m}, got ${bar.openTime}`);
    if (m % CROWD_GRID_MS === 0) {
      // Restart on the grid: the run started one grid step ago publishes from now on, a fresh one warms up.
      this.crowd = this.crowd.filter((c) => c.startedAt >= m - CROWD_GRID_MS);
      this.crowd.push(freshCrowd(m, this.target));
    }
    if (m === this.bookFrom && !this.book) this.book = { startedAt: m, positions: new LadderBook(), dent: [] };
    const crowd = this.publishingCrowdAt(m);
    const book = this.book;
    const exact = book !== null && m >= book.startedAt + BOOK_HORIZON_MS;
    const liquidations: Liquidation[] = [];
    if (book) this.runBook(book, bar, path(), crowd ? this.shares(crowd) : null, exact ? liquidations : null);

    // Crowd runs: one minute on the day's shocks.
    const day = Math.floor(m / DAY_MS);
    if (day !== this.shockDay) {
      this.shocks = crowdShocks(this.seed, this.profile.symbol, day);
      this.shockDay = day;
    }
    const shocks = this.shocks;
    const at = Math.round((m - day * DAY_MS) / MINUTE_MS) * CROWD_SHOCKS;
    const p = this.p;
    const logClose = Math.log(bar.close);
    const volume = bar.volume;
    const imbalance = volume > 0 ? (2 * bar.takerBuy - volume) / volume : 0;
    const leanZ = bar.leanClose > 0 ? (logClose - Math.log(bar.leanClose)) / this.leanScale : 0;
    for (const c of this.crowd) {
      c.trend = c.trend * this.aTrend + (logClose - (c.prevLogClose ?? logClose));
      c.prevLogClose = logClose;
      const delta = p.alignCoupling * volume * imbalance * Math.tanh(c.trend / this.trendScale) + (this.target - c.openInterest) * this.kOi + p.oiNoise * volume * shocks[at]!;
      c.openInterest = Math.max(0.25 * this.target, c.openInterest + delta);
      c.flowEwma += (imbalance - c.flowEwma) * FLOW_EWMA;
      for (let i = 0; i < 3; i++) c.noise[i] = c.noise[i]! * this.aNoise + this.innovation * shocks[at + 1 + i]!;
      c.leanZ = leanZ;
    }
    this.time = m + MINUTE_MS;
    return { liquidations, shares: crowd ? this.shares(crowd) : null };
  }

  /**
   * Open interest now (at the end of the last minute processed): the publishing crowd run's level minus the
   * dent Σ qty · 2^(−age / half-life) over the liquidated positions opened in the last `BOOK_HORIZON_MS`,
   * summed in liquidation order (the same in every run that is exact here). Null before the book is exact.
   */
  openInterest(): number | null {
    const crowd = this.publishingCrowdAt(this.time - MINUTE_MS);
    const book = this.book;
    if (!crowd || !book || this.time - MINUTE_MS < book.startedAt + BOOK_HORIZON_MS) return null;
    const horizon = this.time - BOOK_HORIZON_MS;
    const rate = Math.LN2 / (DENT_HALF_LIFE_MINUTES * MINUTE_MS);
    let dent = 0;
    for (const e of book.dent) if (e.openedAt > horizon) dent += e.qty * Math.exp(-(this.time - e.at) * rate);
    return Math.max(0.25 * this.target, crowd.openInterest - dent);
  }

  private runBook(
    book: { positions: LadderBook; dent: DentEntry[] },
    bar: EngineBar,
    path: Float64Array,
    shares: LongShortShares | null,
    out: Liquidation[] | null,
  ): void {
    const { lp, profile } = this;
    const m = bar.openTime;
    // The minute's new positions: a Poisson count from the minute's own stream, each opening at a second's close.
    const rng = createRng(deriveSeed(this.seed, 'positions', profile.symbol, m));
    const count = rng.poisson(lp.openRate * 60 * activityFactor(bar.varianceRatio));
    const imbalance = bar.volume > 0 ? (2 * bar.takerBuy - bar.volume) / bar.volume : 0;
    const pLong = clamp((shares ? shares.GLOBAL_ACCOUNTS : 0.5 + this.p.retailTilt) + lp.flowSideLean * imbalance, 0.05, 0.95);
    const seconds: number[] = [];
    for (let i = 0; i < count; i++) seconds.push(rng.int(60));
    seconds.sort((a, b) => a - b);
    const prices = new Float64Array(61);
    let lowest = Infinity;
    let highest = -Infinity;
    for (let s = 0; s <= 60; s++) {
      const price = Math.exp(path[s]!);
      prices[s] = price;
      if (price < lowest) lowest = price;
      if (price > highest) highest = price;
    }
    const positions = book.positions;
    const minuteEnd = m + MINUTE_MS;
    // Seconds before the first opening of a minute that crosses nothing and closes nothing change nothing.
    const quiet = positions.highestLong < lowest && positions.lowestShort > highest && positions.nextExit > minuteEnd;
    let next = 0;
    for (let s = 0; s < 60; s++) {
      const start = m + s * SECOND_MS;
      if (!quiet || next > 0) {
        // Positions due by the second's start close first (so a position's fate never depends on a book
        // started before it opened: one opened at t is gone at t + 6 h, before that second's move).
        if (positions.nextExit <= start) positions.expire(start);
        const a = prices[s]!;
        const b = prices[s + 1]!;
        const lo = a < b ? a : b;
        const hi = a < b ? b : a;
        if (positions.highestLong >= lo || positions.lowestShort <= hi) {
          for (const position of positions.takeCrossed(lo, hi)) {
            const time = start + position.phase;
            book.dent.push({ openedAt: position.openedAt, at: time, qty: position.qty });
            out?.push(liquidationRecord(profile, position, liquidationFill(profile, position, b, lp), time));
          }
        }
      }
      while (next < count && seconds[next] === s) {
        const time = start + SECOND_MS;
        const d = drawPosition(profile, rng, prices[s + 1]!, time, pLong, lp);
        // Built field by field (an object spread here costs more than the rest of the book).
        const phase = rng.int(SECOND_MS);
        positions.add({ id: (m / MINUTE_MS) * 1_024 + next, side: d.side, leverage: d.leverage, entry: d.entry, liquidationPrice: d.liquidationPrice, qty: d.qty, exitAt: d.exitAt, phase, openedAt: time });
        next++;
      }
    }
    out?.sort((x, y) => x.time - y.time);
    // Entries the dent no longer counts (opened more than 6 h ago) are dropped now and then (memory only: the
    // sum skips them anyway, so when this runs changes nothing).
    const horizon = minuteEnd - BOOK_HORIZON_MS;
    if (book.dent.length > 64 && m % (15 * MINUTE_MS) === 0) book.dent = book.dent.filter((d) => d.openedAt > horizon);
  }

  /** The state to continue from (plain data). */
  snapshot(): EngineState {
    return {
      time: this.time,
      bookFrom: this.bookFrom,
      crowd: this.crowd.map((c) => ({ ...c, noise: [...c.noise] })),
      book: this.book ? { startedAt: this.book.startedAt, positions: this.book.positions.snapshot(), dent: this.book.dent.map((d) => ({ ...d })) } : null,
    };
  }
}

// --- The venue's inputs of a minute, and the live generator ---

/** The engine's bar of the minute opening at `openTime`, from the venue's minute bars. */
export function engineBarAt(seed: number, symbol: string, openTime: number): EngineBar {
  const { block, j } = anchoredMinute(seed, symbol, openTime);
  const lean = anchoredMinute(seed, symbol, openTime - LEAN_MINUTES * MINUTE_MS);
  return {
    openTime,
    close: block.close[j]!,
    volume: block.volume[j]!,
    takerBuy: block.takerBuy[j]!,
    varianceRatio: block.varianceRatio[j]!,
    leanClose: lean.block.close[lean.j]!,
  };
}

/** The one-second log path of the minute opening at `openTime` (the live model's, `minuteInside`). */
export function minutePath(seed: number, symbol: string, openTime: number): Float64Array {
  const { block, j } = anchoredMinute(seed, symbol, openTime);
  return minuteInside(seed, block, j, openTime, 1, TRADE_PARAMS, true).path;
}

export interface PositioningGeneratorOptions {
  seed: number;
  profile: SymbolProfile;
  /** The engine, at the start minute (from the backfill's `streamSeed.engine`). */
  engine: PositioningEngine;
  /** Liquidations before this time were published by the backfill. */
  startTime: number;
  takerSeed?: TakerPeriodSeed;
}

/**
 * Live publisher of the engine: each minute's liquidations at their times (those at or after the start),
 * `openInterest` at every minute boundary and, at every 5-minute boundary, the three `longShortRatio` kinds
 * and the period's `takerVolume` (stamped at the end of the period). The taker volume sums the venue's
 * minute bars in the candle's order, so it equals the period's 5m candle and the backfill's; the period
 * running at the start adds the backfill's part of it.
 */
export class PositioningGenerator implements SymbolStreamGenerator {
  readonly engine: PositioningEngine;
  private readonly seed: number;
  private readonly profile: SymbolProfile;
  private readonly qtyDecimals: number;
  private readonly startTime: number;
  private current: EngineMinute | null = null;
  private currentOpenInterest: number | null = null;
  private currentMinute = Number.NaN;
  private cursor = 0;
  private periodBuy = 0;
  private periodVolume = 0;

  constructor(options: PositioningGeneratorOptions) {
    this.seed = options.seed;
    this.profile = options.profile;
    this.engine = options.engine;
    this.startTime = options.startTime;
    this.qtyDecimals = decimalsOf(options.profile.stepSize);
    const seed = options.takerSeed;
    if (seed && seed.periodStart === floorTo(options.startTime, STAT_PERIOD_MS)) {
      this.periodBuy = seed.buyQty;
      this.periodVolume = seed.volumeQty ?? seed.buyQty + seed.sellQty;
    }
  }

  /** Open interest at the end of the last minute processed (0 before any). */
  get openInterest(): number {
    return this.currentOpenInterest ?? 0;
  }

  planSecond(ctx: SecondContext): TimedEvent[] {
    const minute = floorTo(ctx.start, MINUTE_MS);
    while (this.engine.nextMinute <= minute) {
      const t = this.engine.nextMinute;
      this.current = this.engine.minute(engineBarAt(this.seed, this.profile.symbol, t), () => minutePath(this.seed, this.profile.symbol, t));
      this.currentOpenInterest = this.engine.openInterest();
      this.currentMinute = t;
      this.cursor = 0;
    }
    const list = this.currentMinute === minute ? (this.current?.liquidations ?? []) : [];
    const end = ctx.start + SECOND_MS;
    const out: TimedEvent[] = [];
    while (this.cursor < list.length && list[this.cursor]!.time < end) {
      const liquidation = list[this.cursor++]!;
      if (liquidation.time >= this.startTime && liquidation.time >= ctx.start) out.push({ time: liquidation.time, event: { type: 'liquidation', liquidation: { ...liquidation } } });
    }
    return out;
  }

  endSecond(ctx: SecondContext): MarketEvent[] {
    const time = ctx.start + SECOND_MS;
    if (time % MINUTE_MS !== 0) return [];
    const openTime = time - MINUTE_MS;
    const { bar } = anchoredMinute(this.seed, this.profile.symbol, openTime);
    this.periodBuy += bar.takerBuyVolume;
    this.periodVolume += bar.volume;
    const result = this.currentMinute === openTime ? this.current : null;
    const oi = result ? this.currentOpenInterest : null;
    const events: MarketEvent[] = [];
    if (oi !== null) events.push({ type: 'openInterest', openInterest: openInterestRecord(this.profile.symbol, oi, bar.close, time, this.qtyDecimals) });
    if (time % STAT_PERIOD_MS === 0) {
      if (result?.shares) for (const ratio of longShortRecords(this.profile.symbol, result.shares, time)) events.push({ type: 'longShortRatio', ratio });
      const d = this.qtyDecimals;
      const buy = roundTo(this.periodBuy, d);
      events.push({ type: 'takerVolume', volume: takerVolumeRecord(this.profile.symbol, buy, roundTo(roundTo(this.periodVolume, d) - buy, d), time, d, this.profile.stepSize) });
      this.periodBuy = 0;
      this.periodVolume = 0;
    }
    return events;
  }
}
