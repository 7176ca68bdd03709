import type { OptionQuote, OptionsChain } from '../../domain/market.js';
import type { DeribitBookSummary, DeribitInstrument, DeribitTicker } from './schemas.js';

/** Deribit's USD index of a coin: `BTC` -> `btc_usd`. */
export function indexNameFor(currency: string): string {
  return `${currency.toLowerCase()}_usd`;
}

/**
 * Options keyed by name. Futures, combos and linear (USDC-quoted) options are left out: the domain's
 * `markPrice` is in the base coin, which holds only for inverse options (quote currency = base coin).
 *
 * `public/get_instruments` entry (recorded: ../shared/data/deribit/cryptofeed-2021-07-22/DERIBIT.0.txt), trimmed:
 * {"tick_size":0.0005,"strike":8000.0,"settlement_period":"month","quote_currency":"BTC","option_type":"put",
 *  "min_trade_amount":0.1,"kind":"option","is_active":true,"instrument_name":"BTC-24SEP21-8000-P",
 *  "expiration_timestamp":1632470400000,"creation_timestamp":1606129458000,"contract_size":1.0,"base_currency":"BTC"}
 */
export function optionInstruments(instruments: readonly DeribitInstrument[]): Map<string, DeribitInstrument> {
  const out = new Map<string, DeribitInstrument>();
  for (const i of instruments) {
    if (i.kind === 'option' && i.option_type !== undefined && i.strike !== undefined && i.quote_currency === i.base_currency)
      out.set(i.instrument_name, i);
  }
  return out;
}

/** Fields of an option that come from its instrument, not from market data. */
function contractTerms(instrument: DeribitInstrument): Pick<OptionQuote, 'instrument' | 'currency' | 'kind' | 'strike' | 'expiry'> {
  return {
    instrument: instrument.instrument_name,
    currency: instrument.base_currency,
    kind: instrument.option_type === 'put' ? 'PUT' : 'CALL',
    strike: instrument.strike ?? 0,
    expiry: instrument.expiration_timestamp,
  };
}

/**
 * One option from its book-summary row joined with its instrument. Null when the row has no mark
 * price or underlying price (nothing to value it with). Greeks are null: the book summary has none
 * (only `public/ticker` does; see `toOptionQuoteFromTicker`).
 *
 * `public/get_book_summary_by_currency?currency=BTC&kind=option` row (shape per docs.deribit.com; no full
 * recording exists, see SOURCES.md §5), trimmed:
 * {"instrument_name":"BTC-28MAR25-90000-C","underlying_price":87210.5,"underlying_index":"BTC-28MAR25",
 *  "mark_price":0.0423,"mark_iv":55.1,"bid_price":0.041,"ask_price":0.0435,"mid_price":0.04225,"last":0.042,
 *  "interest_rate":0,"open_interest":1234.5,"volume":56.2,"volume_usd":205310.4,"price_change":-3.2,
 *  "estimated_delivery_price":86950.1,"base_currency":"BTC","quote_currency":"BTC","creation_timestamp":1742371200000}
 */
export function toOptionQuote(summary: DeribitBookSummary, instrument: DeribitInstrument): OptionQuote | null {
  const { mark_price: markPrice, underlying_price: underlyingPrice } = summary;
  if (markPrice === null || underlyingPrice === null) return null;
  return {
    ...contractTerms(instrument),
    markPrice,
    // Inverse options are quoted in the base coin; the USD value is that many coins at the underlying (forward).
    markPriceUsd: markPrice * underlyingPrice,
    bidPrice: summary.bid_price,
    askPrice: summary.ask_price,
    markIv: summary.mark_iv,
    bidIv: summary.bid_iv,
    askIv: summary.ask_iv,
    openInterest: summary.open_interest,
    volume: summary.volume,
    underlyingPrice,
    delta: null,
    gamma: null,
    vega: null,
    theta: null,
  };
}

/**
 * One option from `public/ticker` (or the `ticker.{instrument}.{interval}` channel), greeks included.
 *
 * Recorded `ticker.BTC-24SEP21-8000-P.raw` data (../shared/data/deribit/cryptofeed-2021-07-22/DERIBIT.ws.1.0.txt), trimmed:
 * {"underlying_price":32366.75,"underlying_index":"BTC-24SEP21","timestamp":1626993722929,
 *  "stats":{"volume":10.1,"price_change":0.0,"low":0.001,"high":0.001},"state":"open","open_interest":729.2,
 *  "mark_price":0.00090376,"mark_iv":142.78,"instrument_name":"BTC-24SEP21-8000-P","index_price":32201.67,
 *  "greeks":{"vega":1.62145,"theta":-1.82613,"rho":-0.27934,"gamma":0.0,"delta":-0.00407},
 *  "bid_iv":133.0,"best_bid_price":0.0005,"best_ask_price":0.0015,"ask_iv":152.71}
 */
export function toOptionQuoteFromTicker(ticker: DeribitTicker, instrument: DeribitInstrument): OptionQuote {
  // A ticker without an underlying (rare; futures) falls back to the index, like Deribit's own UI.
  const underlyingPrice = ticker.underlying_price ?? ticker.index_price;
  return {
    ...contractTerms(instrument),
    markPrice: ticker.mark_price,
    markPriceUsd: ticker.mark_price * underlyingPrice,
    bidPrice: ticker.best_bid_price,
    askPrice: ticker.best_ask_price,
    markIv: ticker.mark_iv,
    bidIv: ticker.bid_iv,
    askIv: ticker.ask_iv,
    openInterest: ticker.open_interest,
    volume: ticker.stats.volume ?? 0,
    underlyingPrice,
    delta: ticker.greeks?.delta ?? null,
    gamma: ticker.greeks?.gamma ?? null,
    vega: ticker.greeks?.vega ?? null,
    theta: ticker.greeks?.theta ?? null,
  };
}

export interface OptionsChainInput {
  venue: string;
  currency: string;
  /** `public/get_index_price` of the currency's USD index. */
  indexPrice: number;
  summaries: readonly DeribitBookSummary[];
  /** From `optionInstruments`. */
  instruments: ReadonlyMap<string, DeribitInstrument>;
  /** Chain time when no summary row carries one (an empty book). */
  fallbackTime: number;
}

export interface OptionsChainResult {
  chain: OptionsChain;
  /** Summary rows whose instrument is not in `instruments` (listed since the instruments were fetched). */
  unmatched: string[];
}

/**
 * The chain of one currency: book-summary rows joined with their instruments by name, sorted by
 * expiry, strike, then calls before puts. The chain's time is the newest summary `creation_timestamp`.
 */
export function buildOptionsChain(input: OptionsChainInput): OptionsChainResult {
  const quotes: OptionQuote[] = [];
  const unmatched: string[] = [];
  let time = 0;
  for (const summary of input.summaries) {
    time = Math.max(time, summary.creation_timestamp);
    const instrument = input.instruments.get(summary.instrument_name);
    if (!instrument) {
      unmatched.push(summary.instrument_name);
      continue;
    }
    const quote = toOptionQuote(summary, instrument);
    if (quote) quotes.push(quote);
  }
  quotes.sort((a, b) => a.expiry - b.expiry || a.strike - b.strike || (a.kind === b.kind ? 0 : a.kind === 'CALL' ? -1 : 1));
  return {
    chain: { currency: input.currency, venue: input.venue, indexPrice: input.indexPrice, quotes, time: time || input.fallbackTime },
    unmatched,
  };
}
