import type { AnalysisKind, AnalysisRecord, InputSample } from '../domain/analysis.js';
import type { DataOrigin } from '../domain/market.js';
import type { PerpVenue, VenueExclusion, VenueStatus } from '../domain/venue.js';
import type { AnalysisDefinition, AnalysisSettings, CrossVenueDefinition, VenueSnapshot } from './definition.js';
import { inputLastAt, sampleSymbolInputs } from './analysis-engine.js';
import { sampleInput, type InputSpec } from './freshness.js';
import type { MarketStore } from './market-store.js';
import { fundingRateOf, judgeVenue, latestOiUsd, priceOf, volume24hUsd, volumeSpec } from './definitions/venue-inputs.js';
import { HOURS_PER_YEAR } from '../analyzers/venue-aggregation.js';
import type { FundingRateKind } from '../analyzers/venue-aggregation.types.js';

/**
 * The perpetual venues one instance ingests at once (MARKET_VENUES next to the primary venue), each in a
 * store of its own, and the analyses across them. The primary venue's store is the engine's: every
 * existing analysis keeps reading it. The others are fed by their own sources (live) or derived from the
 * simulated market (src/datasources/simulated/venue-variant.ts), and analysed on demand here: results are
 * cached per (kind, symbol[, venue]) for `minIntervalMs`, so a burst of requests costs one computation.
 * Not archived and not part of time travel (README "Venues and aggregation").
 */
export interface VenueFeed {
  venue: PerpVenue;
  /** Name shown in `meta.venue` (e.g. `bybit-linear`). */
  name: string;
  origin: DataOrigin;
  primary: boolean;
  store: MarketStore;
  /** Why the venue's source cannot deliver now; null while it is up. */
  down(): string | null;
  fundingIntervalHours(symbol: string): number;
}

/** A cross-venue result as served (meta from `inputs`, the contributors' inputs with the oldest time per type). */
export type VenueAnalysisRecord<R = unknown> = Omit<AnalysisRecord<R>, 'kind' | 'inputs'> & { kind: string; inputs: InputSample[] };

/** One venue's view of a symbol for `Market.venues`. */
export interface VenueQuote {
  venue: PerpVenue;
  name: string;
  primary: boolean;
  status: VenueStatus;
  /** Why a value is missing or stale (joined); null when the venue is OK. */
  reason: string | null;
  price: number | null;
  markPrice: number | null;
  indexPrice: number | null;
  funding: { rate: number; rateKind: FundingRateKind; fundingIntervalHours: number; annualizedRate: number; nextFundingTime: number | null } | null;
  openInterest: { usd: number; contracts: number | null; time: number } | null;
  volume24hUsd: number | null;
  record: { asOf: number; source: DataOrigin; venue: string; methodologyVersion: string; inputs: InputSample[] };
}

export interface VenueMarkets {
  readonly primary: PerpVenue;
  /** Configured perpetual venues, primary first. */
  venues(): PerpVenue[];
  snapshots(symbol: string): VenueSnapshot[];
  quotes(symbol: string): VenueQuote[];
  /** Undefined when no venue can contribute; `reasons` then says why for each. */
  crossVenue<R>(definition: CrossVenueDefinition<R>, symbol: string): VenueAnalysisRecord<R> | undefined;
  /** Why each venue cannot contribute to `definition` (for NOT_READY messages). */
  reasons(definition: CrossVenueDefinition, symbol: string): VenueExclusion[];
  /** An existing per-symbol analysis on one (non-primary) venue's store; undefined without enough input. */
  perVenue<R>(definition: AnalysisDefinition<R>, symbol: string, venue: PerpVenue, params?: unknown): AnalysisRecord<R> | undefined;
  stop(): void;
}

export const VENUE_QUOTE_METHODOLOGY = 'venue-market/1.0.0';

export function createVenueMarkets(options: {
  feeds: readonly VenueFeed[];
  now: () => number;
  staleAfterMs: number;
  minIntervalMs: number;
  fundingHistoryWindow: number;
}): VenueMarkets {
  const { feeds, now, staleAfterMs, minIntervalMs } = options;
  const primaryFeed = feeds.find((f) => f.primary);
  if (!primaryFeed) throw new Error('createVenueMarkets: one feed must be the primary');
  const cache = new Map<string, { at: number; value: unknown }>();
  const cached = <T>(key: string, compute: () => T): T => {
    const t = now();
    const hit = cache.get(key);
    if (hit && t - hit.at < minIntervalMs && t >= hit.at) return hit.value as T;
    const value = compute();
    cache.set(key, { at: t, value });
    return value;
  };
  const snapshots = (symbol: string): VenueSnapshot[] =>
    feeds.map((f) => ({ venue: f.venue, name: f.name, primary: f.primary, market: f.store.get(symbol), down: f.down(), fundingIntervalHours: f.fundingIntervalHours(symbol) }));

  /** Contributors' inputs: per spec, the oldest time among them (one lagging venue makes the value stale). */
  function contributorInputs(snaps: readonly VenueSnapshot[], specs: readonly InputSpec[], contributors: readonly string[]): InputSample[] {
    return specs.map((spec) => {
      let oldest: number | null = null;
      for (const s of snaps) {
        if (!contributors.includes(s.venue) || !s.market) continue;
        const at = inputLastAt(s.market, spec);
        if (at !== null && (oldest === null || at < oldest)) oldest = at;
      }
      return sampleInput(spec, oldest, staleAfterMs);
    });
  }

  function quote(s: VenueSnapshot, feed: VenueFeed, t: number): VenueQuote {
    const m = s.market;
    const price = m ? priceOf(m) : null;
    const rate = m ? fundingRateOf(m) : null;
    const oi = m ? latestOiUsd(m) : null;
    const specs: InputSpec[] = [price?.spec ?? { type: 'trade' }, rate?.spec ?? { type: 'markPrice' }, { type: 'openInterest' }, ...(m ? [volumeSpec(m)] : [])];
    const problems = specs.map((spec) => judgeVenue(s, [spec], t, staleAfterMs)).filter((p) => p !== null);
    const reasons = [...new Set(problems.map((p) => p.reason))];
    const status: VenueStatus = problems.some((p) => p.status === 'STALE') ? 'STALE' : problems.length > 0 ? 'MISSING' : 'OK';
    const inputs = m ? sampleSymbolInputs(m, specs, staleAfterMs) : specs.map((spec) => sampleInput(spec, null, staleAfterMs));
    const times = [price?.time, rate?.time, oi?.time].filter((x): x is number => x !== undefined);
    return {
      venue: s.venue,
      name: s.name,
      primary: s.primary,
      status,
      reason: reasons.length > 0 ? reasons.join('; ') : null,
      price: price?.price ?? null,
      markPrice: m?.mark?.markPrice ?? null,
      indexPrice: m?.mark?.indexPrice ?? null,
      funding: rate
        ? { rate: rate.rate, rateKind: rate.rateKind, fundingIntervalHours: s.fundingIntervalHours, annualizedRate: (rate.rate * HOURS_PER_YEAR) / s.fundingIntervalHours, nextFundingTime: rate.nextFundingTime }
        : null,
      openInterest: oi ? { usd: oi.oiUsd, contracts: m?.openInterest.last()?.openInterest ?? null, time: oi.time } : null,
      volume24hUsd: m ? volume24hUsd(m, t) : null,
      record: { asOf: times.length > 0 ? Math.max(...times) : 0, source: feed.origin, venue: s.name, methodologyVersion: VENUE_QUOTE_METHODOLOGY, inputs },
    };
  }

  return {
    primary: primaryFeed.venue,
    venues: () => feeds.map((f) => f.venue),
    snapshots,
    quotes(symbol) {
      const t = now();
      const snaps = snapshots(symbol);
      return snaps.map((s, i) => quote(s, feeds[i]!, t));
    },
    crossVenue<R>(definition: CrossVenueDefinition<R>, symbol: string) {
      return cached(`${definition.kind}:${symbol}`, () => {
        const t = now();
        const snaps = snapshots(symbol);
        const out = definition.compute(symbol, snaps, t, staleAfterMs);
        if (!out) return undefined;
        return {
          kind: definition.kind,
          symbol,
          result: out.result,
          asOf: out.asOf,
          computedAt: t,
          methodologyVersion: definition.methodologyVersion,
          source: primaryFeed.origin,
          venue: 'aggregated',
          inputs: contributorInputs(snaps, definition.inputs, out.contributors),
        } satisfies VenueAnalysisRecord<R>;
      });
    },
    reasons(definition, symbol) {
      const t = now();
      return snapshots(symbol).map((s) => ({ venue: s.venue, ...(judgeVenue(s, definition.inputs, t, staleAfterMs) ?? { status: 'MISSING' as const, reason: `not enough input from ${s.name}` }) }));
    },
    perVenue<R>(definition: AnalysisDefinition<R>, symbol: string, venue: PerpVenue, params?: unknown) {
      const feed = feeds.find((f) => f.venue === venue);
      if (!feed) return undefined;
      if (params !== undefined && !definition.computeWith) throw new Error(`${definition.kind} takes no parameters`);
      return cached(`${definition.kind}:${symbol}:${venue}:${params === undefined ? '' : JSON.stringify(params)}`, () => {
        const market = feed.store.get(symbol);
        if (!market) return undefined;
        const t = now();
        const settings: AnalysisSettings = { fundingHistoryWindow: options.fundingHistoryWindow, fundingIntervalHours: (s) => feed.fundingIntervalHours(s) };
        const out = params === undefined ? definition.compute(market, t, settings) : definition.computeWith!(market, t, settings, params);
        if (!out) return undefined;
        return {
          kind: definition.kind as AnalysisKind,
          symbol,
          result: out.result,
          asOf: out.asOf,
          computedAt: t,
          methodologyVersion: definition.methodologyVersion,
          source: feed.origin,
          venue: feed.name,
          inputs: sampleSymbolInputs(market, definition.inputs, staleAfterMs),
        } satisfies AnalysisRecord<R>;
      });
    },
    stop: () => cache.clear(),
  };
}
