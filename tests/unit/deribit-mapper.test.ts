import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOptionsChain, indexNameFor, optionInstruments, toOptionQuote, toOptionQuoteFromTicker } from '../../src/datasources/deribit/deribit-mapper.js';
import {
  deribitBookSummarySchema,
  deribitEnvelope,
  deribitInstrumentListSchema,
  deribitInstrumentSchema,
  deribitTickerSchema,
  type DeribitBookSummary,
  type DeribitInstrument,
} from '../../src/datasources/deribit/schemas.js';

const INSTRUMENTS_FILE = '../shared/data/deribit/cryptofeed-2021-07-22/DERIBIT.0.txt';
const TICKERS_FILE = '../shared/data/deribit/cryptofeed-2021-07-22/DERIBIT.ws.1.0.txt';

/** The recorded `get_instruments` answer of one currency, validated with the production envelope schema. */
function recordedInstruments(currency: string): DeribitInstrument[] {
  const line = readFileSync(INSTRUMENTS_FILE, 'utf8')
    .split('\n')
    .find((l) => l.includes(`get_instruments?currency=${currency}&`));
  if (!line) throw new Error(`no ${currency} line in ${INSTRUMENTS_FILE}`);
  const parsed = deribitEnvelope(deribitInstrumentListSchema).parse(JSON.parse(line.slice(line.indexOf('{'))));
  return parsed.result!;
}

describe.skipIf(!existsSync(INSTRUMENTS_FILE))('recorded get_instruments (cryptofeed 2021-07-22)', () => {
  // Collected even when skipped: read nothing without the recordings.
  if (!existsSync(INSTRUMENTS_FILE)) return;
  it('parses every instrument, and keeps the options only', () => {
    const counts = Object.fromEntries(
      ['BTC', 'ETH', 'SOL'].map((c) => {
        const all = recordedInstruments(c);
        return [c, { all: all.length, options: optionInstruments(all).size }];
      }),
    );
    // SOURCES.md §5 reports 398/426/177 "options": those are all instruments of the answer. The request
    // had no kind=option, and each list holds futures too (8, 8 and 5), which optionInstruments drops.
    expect(counts, 'instruments per currency, and options among them').toEqual({
      BTC: { all: 398, options: 390 },
      ETH: { all: 426, options: 418 },
      SOL: { all: 177, options: 172 },
    });
  });

  it('reads strike, type and expiry of BTC-24SEP21-8000-P from its instrument', () => {
    const put = optionInstruments(recordedInstruments('BTC')).get('BTC-24SEP21-8000-P');
    expect(put, 'listed').toBeDefined();
    expect(put!.strike, 'strike in USD').toBe(8000);
    expect(put!.option_type).toBe('put');
    expect(new Date(put!.expiration_timestamp).toISOString(), 'Deribit expires at 08:00 UTC').toBe('2021-09-24T08:00:00.000Z');
    expect(put!.contract_size, '1 contract = 1 BTC').toBe(1);
  });

  it('names every option after its own terms (CUR-DMMMYY-STRIKE-C|P)', () => {
    for (const [name, i] of optionInstruments(recordedInstruments('ETH'))) {
      expect(name.endsWith(`-${i.strike}-${i.option_type === 'call' ? 'C' : 'P'}`), name).toBe(true);
    }
  });
});

describe.skipIf(!existsSync(TICKERS_FILE) || !existsSync(INSTRUMENTS_FILE))('recorded option tickers (cryptofeed 2021-07-22)', () => {
  // Collected even when skipped: read nothing without the recordings.
  if (!existsSync(TICKERS_FILE)) return;
  const tickers = readFileSync(TICKERS_FILE, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"channel":"ticker.'))
    .map((l) => (JSON.parse(l.slice(l.indexOf('{'))) as { params: { data: unknown } }).params.data);

  it('validates all 89 ticker messages', () => {
    expect(tickers, 'SOURCES.md §5: 89 ticker.<option>.raw messages').toHaveLength(89);
    for (const t of tickers) expect(deribitTickerSchema.safeParse(t).success).toBe(true);
  });

  it('maps the first BTC-24SEP21-8000-P ticker with its greeks, IVs and open interest', () => {
    const raw = tickers.find((t) => (t as { instrument_name: string }).instrument_name === 'BTC-24SEP21-8000-P');
    const instrument = optionInstruments(recordedInstruments('BTC')).get('BTC-24SEP21-8000-P')!;
    const quote = toOptionQuoteFromTicker(deribitTickerSchema.parse(raw), instrument);
    expect(quote).toMatchObject({
      instrument: 'BTC-24SEP21-8000-P',
      currency: 'BTC',
      kind: 'PUT',
      strike: 8000,
      expiry: 1632470400000,
      markPrice: 0.00090376,
      bidPrice: 0.0005,
      askPrice: 0.0015,
      markIv: 142.78,
      bidIv: 133.0,
      askIv: 152.71,
      openInterest: 729.2,
      volume: 10.1,
      underlyingPrice: 32366.75,
      delta: -0.00407,
      gamma: 0,
      vega: 1.62145,
      theta: -1.82613,
    });
    // 0.00090376 BTC × 32366.75 USD/BTC = 29.25177398 USD (by hand, exact decimal product).
    expect(quote.markPriceUsd, 'premium in USD at the underlying (forward) price').toBeCloseTo(29.25177398, 8);
  });
});

const btcCall: DeribitInstrument = deribitInstrumentSchema.parse({
  instrument_name: 'BTC-28MAR25-90000-C',
  kind: 'option',
  option_type: 'call',
  strike: 90000,
  expiration_timestamp: Date.parse('2025-03-28T08:00:00Z'),
  base_currency: 'BTC',
  quote_currency: 'BTC',
  contract_size: 1,
  is_active: true,
});

function summary(over: Partial<Record<keyof DeribitBookSummary, unknown>> = {}): DeribitBookSummary {
  return deribitBookSummarySchema.parse({
    instrument_name: 'BTC-28MAR25-90000-C',
    underlying_price: 87210.5,
    underlying_index: 'BTC-28MAR25',
    mark_price: 0.0423,
    mark_iv: 55.1,
    bid_price: 0.041,
    ask_price: 0.0435,
    mid_price: 0.04225,
    last: null,
    interest_rate: 0,
    open_interest: 1234.5,
    volume: 56.2,
    volume_usd: 205310.4,
    price_change: null,
    estimated_delivery_price: 86950.1,
    base_currency: 'BTC',
    quote_currency: 'BTC',
    creation_timestamp: 1742371200000,
    ...over,
  });
}

describe('toOptionQuote (book summary joined with its instrument)', () => {
  it('takes strike, type and expiry from the instrument and prices the mark in USD at the underlying', () => {
    expect(toOptionQuote(summary(), btcCall)).toEqual({
      instrument: 'BTC-28MAR25-90000-C',
      currency: 'BTC',
      kind: 'CALL',
      strike: 90000,
      expiry: Date.parse('2025-03-28T08:00:00Z'),
      markPrice: 0.0423,
      // 0.0423 × 87210.5 = 3689.00415 (by hand)
      markPriceUsd: expect.closeTo(3689.00415, 8),
      // Best bid / ask of the row, in BTC like the mark.
      bidPrice: 0.041,
      askPrice: 0.0435,
      markIv: 55.1,
      // The book summary publishes mark_iv only (bid_iv/ask_iv are absent) and no greeks at all.
      bidIv: null,
      askIv: null,
      openInterest: 1234.5,
      volume: 56.2,
      underlyingPrice: 87210.5,
      delta: null,
      gamma: null,
      vega: null,
      theta: null,
    });
  });

  it('skips a row with nothing to value it with', () => {
    expect(toOptionQuote(summary({ mark_price: null }), btcCall), 'no mark price').toBeNull();
    expect(toOptionQuote(summary({ underlying_price: null }), btcCall), 'no underlying').toBeNull();
  });
});

describe('buildOptionsChain', () => {
  const instrument = (name: string, type: 'call' | 'put', strike: number, expiry: string): DeribitInstrument =>
    deribitInstrumentSchema.parse({
      instrument_name: name,
      kind: 'option',
      option_type: type,
      strike,
      expiration_timestamp: Date.parse(expiry),
      base_currency: 'ETH',
      quote_currency: 'ETH',
      contract_size: 1,
      is_active: true,
    });
  const byName = optionInstruments([
    instrument('ETH-4APR25-2000-P', 'put', 2000, '2025-04-04T08:00:00Z'),
    instrument('ETH-4APR25-2000-C', 'call', 2000, '2025-04-04T08:00:00Z'),
    instrument('ETH-28MAR25-2100-C', 'call', 2100, '2025-03-28T08:00:00Z'),
    instrument('ETH-28MAR25-1900-P', 'put', 1900, '2025-03-28T08:00:00Z'),
  ]);
  const row = (name: string, mark: number | null, at: number) =>
    summary({ instrument_name: name, mark_price: mark, underlying_price: 2050, base_currency: 'ETH', quote_currency: 'ETH', creation_timestamp: at });

  const { chain, unmatched } = buildOptionsChain({
    venue: 'deribit',
    currency: 'ETH',
    indexPrice: 2048.5,
    instruments: byName,
    fallbackTime: 1,
    summaries: [
      row('ETH-4APR25-2000-P', 0.05, 1000),
      row('ETH-28MAR25-2100-C', 0.01, 3000),
      row('ETH-4APR25-2000-C', 0.07, 2000),
      row('ETH-28MAR25-1900-P', null, 1500),
      row('ETH-11APR25-2500-C', 0.002, 2500),
    ],
  });

  it('joins by name, sorted by expiry, strike, calls first; rows without a mark are dropped', () => {
    expect(chain.quotes.map((q) => q.instrument)).toEqual(['ETH-28MAR25-2100-C', 'ETH-4APR25-2000-C', 'ETH-4APR25-2000-P']);
    // 0.01 × 2050 = 20.5, 0.07 × 2050 = 143.5, 0.05 × 2050 = 102.5 USD
    expect(chain.quotes.map((q) => q.markPriceUsd), 'mark × underlying 2050').toEqual([expect.closeTo(20.5, 9), expect.closeTo(143.5, 9), expect.closeTo(102.5, 9)]);
  });

  it('reports rows whose instrument is not cached, and stamps the newest summary time', () => {
    expect(unmatched, 'listed after the instruments were fetched').toEqual(['ETH-11APR25-2500-C']);
    expect(chain).toMatchObject({ currency: 'ETH', venue: 'deribit', indexPrice: 2048.5, time: 3000 });
  });

  it('falls back to the given time for an empty book', () => {
    const empty = buildOptionsChain({ venue: 'deribit', currency: 'ETH', indexPrice: 1, instruments: byName, summaries: [], fallbackTime: 42 });
    expect(empty.chain.time).toBe(42);
    expect(empty.chain.quotes).toEqual([]);
  });
});

describe('optionInstruments and indexNameFor', () => {
  it('drops futures and linear (USDC-quoted) options, whose prices are not in the base coin', () => {
    const linear = deribitInstrumentSchema.parse({ ...btcCall, instrument_name: 'SOL_USDC-28MAR25-150-C', base_currency: 'SOL', quote_currency: 'USDC' });
    const future = deribitInstrumentSchema.parse({ ...btcCall, instrument_name: 'BTC-28MAR25', kind: 'future', option_type: undefined, strike: undefined });
    expect([...optionInstruments([btcCall, linear, future]).keys()]).toEqual(['BTC-28MAR25-90000-C']);
  });

  it('names the USD index of a currency', () => {
    expect(indexNameFor('BTC')).toBe('btc_usd');
    expect(indexNameFor('eth')).toBe('eth_usd');
  });
});
