import type { SymbolEvent, MarketEvent } from '../../domain/market.js';
import type { PerpVenue } from '../../domain/venue.js';
import { deriveSeed } from './random.js';

/**
 * The simulated market on other perpetual venues. The simulated market is the BINANCE venue; BYBIT and
 * OKX are derived from each of its events by a pure function of (seed, venue, symbol, time), so they are
 * correlated with it (same moves) but distinct (their own premium, funding and open interest), and the
 * same seed gives the same venues:
 *
 * - prices × (1 + premium(t)): a venue offset plus two slow sine waves (47 min, 5.3 h) with phases from
 *   the seed, a few basis points wide; the index moves by a fifth of it (a different basket);
 * - funding (predicted and settled) + offset(t): a venue offset plus a 19 h wave;
 * - open interest × share(t) (a 9.7 h wave of ±4 % around the venue's share); volumes × the venue's share;
 * - liquidations at the venue's prices with quantities × its OI share. Order books and spot are not
 *   derived (the venue views carry top-of-book only; spot belongs to the spot venue).
 */
export interface SimulatedVenueProfile {
  /** Mean premium over the BINANCE price, basis points. */
  premiumBps: number;
  /** Amplitude of the premium waves, basis points. */
  premiumAmpBps: number;
  /** Mean funding offset, fraction per 8 h. */
  fundingOffset: number;
  fundingAmp: number;
  /** Open interest as a fraction of BINANCE's. */
  oiShare: number;
  /** Traded volume as a fraction of BINANCE's. */
  volumeShare: number;
}

export const SIMULATED_VENUE_PROFILES: Readonly<Record<Exclude<PerpVenue, 'BINANCE'>, SimulatedVenueProfile>> = {
  BYBIT: { premiumBps: 1.5, premiumAmpBps: 3, fundingOffset: 0.00002, fundingAmp: 0.00003, oiShare: 0.55, volumeShare: 0.45 },
  OKX: { premiumBps: -1, premiumAmpBps: 2.5, fundingOffset: -0.000015, fundingAmp: 0.000025, oiShare: 0.4, volumeShare: 0.35 },
};

const TAU = 2 * Math.PI;
const P1 = 47 * 60_000;
const P2 = 5.3 * 3_600_000;
const P3 = 19 * 3_600_000;
const P4 = 9.7 * 3_600_000;

/** The venue's view of `symbol` at time `t`. */
export interface VenueShape {
  premium(t: number): number;
  fundingOffset(t: number): number;
  oiFactor(t: number): number;
}

export function venueShape(seed: number, venue: Exclude<PerpVenue, 'BINANCE'>, symbol: string): VenueShape {
  const p = SIMULATED_VENUE_PROFILES[venue];
  const phase = (label: string) => (deriveSeed(seed, 'venue', venue, symbol, label) / 2 ** 32) * TAU;
  const [f1, f2, f3, f4] = [phase('p1'), phase('p2'), phase('funding'), phase('oi')];
  return {
    premium: (t) => (p.premiumBps + p.premiumAmpBps * (0.6 * Math.sin((TAU * t) / P1 + f1) + 0.4 * Math.sin((TAU * t) / P2 + f2))) * 1e-4,
    fundingOffset: (t) => p.fundingOffset + p.fundingAmp * Math.sin((TAU * t) / P3 + f3),
    oiFactor: (t) => p.oiShare * (1 + 0.04 * Math.sin((TAU * t) / P4 + f4)),
  };
}

/** Maps events of the simulated (BINANCE) market to `venue`'s; null for events the venue view does not carry. */
export function createSimulatedVenueVariant(seed: number, venue: Exclude<PerpVenue, 'BINANCE'>): (event: MarketEvent) => SymbolEvent | null {
  const { volumeShare } = SIMULATED_VENUE_PROFILES[venue];
  const shapes = new Map<string, VenueShape>();
  const shape = (symbol: string) => {
    let s = shapes.get(symbol);
    if (!s) shapes.set(symbol, (s = venueShape(seed, venue, symbol)));
    return s;
  };
  return (event) => {
    switch (event.type) {
      case 'trade': {
        const t = event.trade;
        const f = 1 + shape(t.symbol).premium(t.time);
        return { type: 'trade', trade: { ...t, price: t.price * f, qty: t.qty * volumeShare } };
      }
      case 'candle': {
        const c = event.candle;
        const f = 1 + shape(c.symbol).premium(c.openTime);
        return {
          type: 'candle',
          candle: {
            ...c,
            open: c.open * f,
            high: c.high * f,
            low: c.low * f,
            close: c.close * f,
            volume: c.volume * volumeShare,
            quoteVolume: c.quoteVolume === null ? null : c.quoteVolume * volumeShare * f,
            takerBuyVolume: c.takerBuyVolume === null ? null : c.takerBuyVolume * volumeShare,
            trades: c.trades === null ? null : Math.round(c.trades * volumeShare),
          },
        };
      }
      case 'markPrice': {
        const m = event.mark;
        const s = shape(m.symbol);
        const p = s.premium(m.time);
        return {
          type: 'markPrice',
          mark: {
            ...m,
            markPrice: m.markPrice * (1 + p),
            indexPrice: m.indexPrice === null ? null : m.indexPrice * (1 + p / 5),
            predictedFundingRate: m.predictedFundingRate === null ? null : m.predictedFundingRate + s.fundingOffset(m.time),
          },
        };
      }
      case 'funding': {
        const r = event.funding;
        const s = shape(r.symbol);
        return { type: 'funding', funding: { ...r, rate: r.rate + s.fundingOffset(r.fundingTime), markPrice: r.markPrice === null ? null : r.markPrice * (1 + s.premium(r.fundingTime)) } };
      }
      case 'openInterest': {
        const o = event.openInterest;
        const s = shape(o.symbol);
        const k = s.oiFactor(o.time);
        return {
          type: 'openInterest',
          openInterest: { ...o, openInterest: o.openInterest === null ? null : o.openInterest * k, openInterestValue: o.openInterestValue === null ? null : o.openInterestValue * k * (1 + s.premium(o.time)) },
        };
      }
      case 'takerVolume': {
        const v = event.volume;
        return { type: 'takerVolume', volume: { ...v, buyVolume: v.buyVolume * volumeShare, sellVolume: v.sellVolume * volumeShare } };
      }
      case 'longShortRatio':
        return event;
      case 'basis': {
        const b = event.basis;
        const p = shape(b.symbol).premium(b.time);
        const futuresPrice = b.futuresPrice * (1 + p);
        const indexPrice = b.indexPrice * (1 + p / 5);
        return { type: 'basis', basis: { ...b, futuresPrice, indexPrice, basis: futuresPrice - indexPrice, basisRate: (futuresPrice - indexPrice) / indexPrice } };
      }
      case 'ticker24h': {
        const t = event.ticker;
        const f = 1 + shape(t.symbol).premium(t.time);
        return { type: 'ticker24h', ticker: { ...t, lastPrice: t.lastPrice * f, highPrice: t.highPrice * f, lowPrice: t.lowPrice * f, volume: t.volume * volumeShare, quoteVolume: t.quoteVolume * volumeShare * f } };
      }
      case 'liquidation': {
        const l = event.liquidation;
        const s = shape(l.symbol);
        const f = 1 + s.premium(l.time);
        const qty = l.qty * SIMULATED_VENUE_PROFILES[venue].oiShare;
        return { type: 'liquidation', liquidation: { ...l, price: l.price * f, averagePrice: l.averagePrice * f, qty, notional: l.averagePrice * f * qty } };
      }
      case 'bookTicker': {
        const b = event.book;
        const f = 1 + shape(b.symbol).premium(b.time);
        return { type: 'bookTicker', book: { ...b, bidPrice: b.bidPrice * f, askPrice: b.askPrice * f, bidQty: b.bidQty * volumeShare, askQty: b.askQty * volumeShare } };
      }
      default:
        return null;
    }
  };
}
