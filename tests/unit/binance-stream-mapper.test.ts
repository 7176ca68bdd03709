import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseStreamMessage, streamNamesFor } from '../../src/datasources/binance/binance-stream-mapper.js';
import { BadResponseError } from '../../src/datasources/errors.js';
import type { SymbolEvent } from '../../src/domain/market.js';

/** 1,535 real combined-stream messages recorded by cryptofeed on 2021-07-22 (../shared/data/SOURCES.md §4). */
const WS_FILE = '../shared/data/binance-futures/raw-recordings/cryptofeed-2021-07-22/BINANCE_FUTURES.ws.1.0.txt';

function parseError(raw: unknown): BadResponseError {
  try {
    parseStreamMessage(raw);
  } catch (err) {
    if (err instanceof BadResponseError) return err;
    throw err;
  }
  throw new Error('expected a BadResponseError');
}

const only = (events: SymbolEvent[]): SymbolEvent => {
  expect(events).toHaveLength(1);
  return events[0]!;
};

// --- Hand-checked payloads ---

describe('parseStreamMessage: aggTrade', () => {
  // Recorded (AKROUSDT, m true) and (CTKUSDT, m false).
  const sell = {
    stream: 'akrousdt@aggTrade',
    data: { e: 'aggTrade', E: 1626992742291, a: 14888302, s: 'AKROUSDT', p: '0.01731', q: '312', f: 27931348, l: 27931348, T: 1626992742134, m: true },
  };
  const buy = {
    stream: 'ctkusdt@aggTrade',
    data: { e: 'aggTrade', E: 1626992741575, a: 16599292, s: 'CTKUSDT', p: '1.01100', q: '10', f: 23961322, l: 23961322, T: 1626992741421, m: false },
  };

  it('reads m = true (buyer is maker) as a taker SELL, timed at the trade time T', () => {
    expect(only(parseStreamMessage(sell))).toEqual({
      type: 'trade',
      trade: { symbol: 'AKROUSDT', id: 14888302, price: 0.01731, qty: 312, time: 1626992742134, side: 'SELL' },
    });
  });

  it('reads m = false as a taker BUY', () => {
    const event = only(parseStreamMessage(buy));
    expect(event.type === 'trade' && event.trade.side, 'the buyer was the taker').toBe('BUY');
    expect(event.type === 'trade' && event.trade.price).toBe(1.011);
  });

  it('accepts the raw JSON text as well as the parsed object', () => {
    expect(parseStreamMessage(JSON.stringify(buy))).toEqual(parseStreamMessage(buy));
  });
});

describe('parseStreamMessage: forceOrder', () => {
  // Binance docs sample, quantities changed so notional is not trivially p × q.
  const wire = (side: 'BUY' | 'SELL') => ({
    stream: 'btcusdt@forceOrder',
    data: {
      e: 'forceOrder',
      E: 1568014460893,
      o: { s: 'BTCUSDT', S: side, o: 'LIMIT', f: 'IOC', q: '0.020', p: '9910', ap: '9925.5', X: 'FILLED', l: '0.014', z: '0.014', T: 1568014460890 },
    },
  });

  it('maps a SELL liquidation order to a liquidated LONG with notional = ap × z, marked incomplete', () => {
    const event = only(parseStreamMessage(wire('SELL')));
    expect(event.type).toBe('liquidation');
    if (event.type !== 'liquidation') return;
    const l = event.liquidation;
    expect(l.side).toBe('SELL');
    expect(l.liquidatedSide, 'a forced SELL closes a long').toBe('LONG');
    expect(l.price).toBe(9910);
    expect(l.averagePrice).toBe(9925.5);
    expect(l.qty, 'filled quantity z, not the order quantity q').toBe(0.014);
    expect(l.notional, '9925.5 × 0.014 = 138.957').toBeCloseTo(138.957, 9);
    expect(l.time, 'order trade time o.T').toBe(1568014460890);
    expect(l.complete, 'Binance pushes at most one liquidation per symbol per second').toBe(false);
  });

  it('maps a BUY liquidation order to a liquidated SHORT', () => {
    const event = only(parseStreamMessage(wire('BUY')));
    expect(event.type === 'liquidation' && event.liquidation.liquidatedSide).toBe('SHORT');
  });
});

describe('parseStreamMessage: kline', () => {
  // Recorded: the SUSHIUSDT 22:25 candle, closing message (x true).
  const closed = {
    stream: 'sushiusdt@kline_1m',
    data: {
      e: 'kline',
      E: 1626992760203,
      s: 'SUSHIUSDT',
      k: {
        t: 1626992700000, T: 1626992759999, s: 'SUSHIUSDT', i: '1m', f: 126902874, L: 126902986, o: '7.6080', c: '7.6170', h: '7.6180',
        l: '7.6070', v: '3005', n: 113, x: true, q: '22875.8590', V: '1900', Q: '14464.6960', B: '0',
      },
    },
  };

  it('maps every field, with x as closed and V as taker buy base volume', () => {
    expect(only(parseStreamMessage(closed))).toEqual({
      type: 'candle',
      candle: {
        symbol: 'SUSHIUSDT',
        interval: '1m',
        openTime: 1626992700000,
        closeTime: 1626992759999,
        open: 7.608,
        high: 7.618,
        low: 7.607,
        close: 7.617,
        volume: 3005,
        quoteVolume: 22875.859,
        takerBuyVolume: 1900,
        trades: 113,
        closed: true,
      },
    });
  });

  it('reports a forming candle as not closed', () => {
    const forming = { ...closed, data: { ...closed.data, k: { ...closed.data.k, x: false } } };
    const event = only(parseStreamMessage(forming));
    expect(event.type === 'candle' && event.candle.closed).toBe(false);
  });
});

describe('parseStreamMessage: markPriceUpdate', () => {
  // Binance docs sample.
  const wire = {
    stream: 'btcusdt@markPrice@1s',
    data: { e: 'markPriceUpdate', E: 1562305380000, s: 'BTCUSDT', p: '11794.15000000', i: '11784.62659091', P: '11784.25641265', r: '0.00038167', T: 1562306400000 },
  };

  it('takes r as the predicted funding rate and T as the next funding time, timed at E', () => {
    expect(only(parseStreamMessage(wire))).toEqual({
      type: 'markPrice',
      mark: {
        symbol: 'BTCUSDT',
        markPrice: 11794.15,
        indexPrice: 11784.62659091,
        predictedFundingRate: 0.00038167,
        nextFundingTime: 1562306400000,
        time: 1562305380000,
      },
    });
  });

  it('has no predicted rate on a delivery contract (r "" and T 0)', () => {
    const event = only(parseStreamMessage({ ...wire, data: { ...wire.data, s: 'BTCUSDT_210924', r: '', T: 0 } }));
    expect(event.type === 'markPrice' && event.mark.predictedFundingRate).toBeNull();
  });

  it('maps every item of an array payload (!markPrice@arr@1s)', () => {
    const events = parseStreamMessage({ stream: '!markPrice@arr@1s', data: [wire.data, { ...wire.data, s: 'ETHUSDT', p: '2000.5' }] });
    expect(events.map((e) => (e.type === 'markPrice' ? [e.mark.symbol, e.mark.markPrice] : null))).toEqual([
      ['BTCUSDT', 11794.15],
      ['ETHUSDT', 2000.5],
    ]);
  });
});

describe('parseStreamMessage: bookTicker and depth', () => {
  it('maps a bookTicker, timed at the transaction time T', () => {
    // Recorded.
    const wire = {
      stream: 'sushiusdt@bookTicker',
      data: { e: 'bookTicker', u: 600859600576, s: 'SUSHIUSDT', b: '7.6110', B: '2', a: '7.6120', A: '297', T: 1626992741012, E: 1626992741017 },
    };
    expect(only(parseStreamMessage(wire))).toEqual({
      type: 'bookTicker',
      book: { symbol: 'SUSHIUSDT', bidPrice: 7.611, bidQty: 2, askPrice: 7.612, askQty: 297, time: 1626992741012 },
    });
  });

  it('maps a partial book (depth20) best level first, whatever order the levels come in', () => {
    // Binance docs sample (its bids are listed worst first), trimmed to three levels a side.
    const wire = {
      stream: 'btcusdt@depth20@500ms',
      data: {
        e: 'depthUpdate', E: 1571889248277, T: 1571889248276, s: 'BTCUSDT', U: 390497796, u: 390497878, pu: 390497794,
        b: [['7403.89', '0.002'], ['7404.85', '5.239'], ['7405.43', '2.562']],
        a: [['7407.08', '2.475'], ['7405.96', '3.340'], ['7406.63', '4.525']],
      },
    };
    expect(only(parseStreamMessage(wire))).toEqual({
      type: 'orderBook',
      book: {
        symbol: 'BTCUSDT',
        bids: [[7405.43, 2.562], [7404.85, 5.239], [7403.89, 0.002]],
        asks: [[7405.96, 3.34], [7406.63, 4.525], [7407.08, 2.475]],
        time: 1571889248276,
      },
    });
  });

  it('validates a diff-depth update but yields no book (it needs a REST snapshot to apply)', () => {
    const wire = {
      stream: 'sushiusdt@depth@100ms',
      data: { e: 'depthUpdate', E: 1626992741037, T: 1626992741024, s: 'SUSHIUSDT', U: 1, u: 2, pu: 0, b: [['7.6090', '0']], a: [] },
    };
    expect(parseStreamMessage(wire)).toEqual([]);
    expect(() => parseStreamMessage({ ...wire, data: { ...wire.data, b: [['7.6090', 'x']] } })).toThrow(BadResponseError);
  });

  it('ignores a well-formed event type it does not map', () => {
    expect(parseStreamMessage({ stream: 'btcusdt@ticker', data: { e: '24hrTicker', E: 1, s: 'BTCUSDT' } })).toEqual([]);
  });
});

describe('parseStreamMessage: malformed payloads', () => {
  const trade = { e: 'aggTrade', E: 1, a: 1, s: 'BTCUSDT', p: '100.5', q: '1', f: 1, l: 1, T: 1, m: true };

  it('rejects a non-decimal price, naming the field path and the value', () => {
    const err = parseError({ stream: 'btcusdt@aggTrade', data: { ...trade, p: 'abc' } });
    expect(err.endpoint).toBe('ws btcusdt@aggTrade');
    expect(err.issues, 'one issue, at data.p').toEqual(['data.p: expected a decimal string, got "abc"']);
  });

  it('rejects NaN and overflow rather than passing them on', () => {
    expect(parseError({ stream: 'btcusdt@aggTrade', data: { ...trade, q: 'NaN' } }).issues[0]).toMatch(/^data\.q: /);
    expect(parseError({ stream: 'btcusdt@aggTrade', data: { ...trade, q: '1e999' } }).issues[0]).toMatch(/^data\.q: /);
  });

  it('names nested paths (kline k.V, forceOrder o.S, book level b[0][1])', () => {
    const k = { t: 0, T: 59_999, i: '1m', o: '1', h: '1', l: '1', c: '1', v: '1', q: '1', V: '', n: 1, x: false };
    expect(parseError({ stream: 'x@kline_1m', data: { e: 'kline', E: 1, s: 'X', k } }).issues[0]).toMatch(/^data\.k\.V: /);
    const o = { s: 'X', S: 'LONG', q: '1', p: '1', ap: '1', z: '1', T: 1 };
    expect(parseError({ stream: 'x@forceOrder', data: { e: 'forceOrder', E: 1, o } }).issues[0]).toMatch(/^data\.o\.S: /);
    const depth = { e: 'depthUpdate', E: 1, T: 1, s: 'X', b: [['1', 'abc']], a: [] };
    expect(parseError({ stream: 'x@depth5', data: depth }).issues[0]).toMatch(/^data\.b\[0\]\[1\]: /);
  });

  it('rejects a missing field, an envelope without stream, and data without an event type', () => {
    const { m: _m, ...noSide } = trade;
    expect(parseError({ stream: 'btcusdt@aggTrade', data: noSide }).issues[0]).toMatch(/^data\.m: /);
    expect(parseError({ data: trade }).issues[0]).toMatch(/^stream: /);
    expect(parseError({ stream: 'btcusdt@aggTrade', data: { p: '1' } }).issues).toEqual(['data.e: expected an event type string']);
    expect(parseError('{"stream":').issues[0]).toMatch(/^invalid JSON/);
  });

  it('rejects a bookTicker with neither T nor E', () => {
    const data = { e: 'bookTicker', s: 'X', b: '1', B: '1', a: '2', A: '1' };
    expect(parseError({ stream: 'x@bookTicker', data }).issues[0]).toMatch(/^data\.T: neither T nor E/);
  });
});

// --- Recorded messages ---

describe.skipIf(!existsSync(WS_FILE))('parseStreamMessage over the recorded stream (cryptofeed 2021-07-22)', () => {
  // Collected even when skipped: read nothing without the recordings.
  if (!existsSync(WS_FILE)) return;
  // Line 1 is the connect URL; the rest are `<unix_seconds>: <raw JSON>`.
  const lines = readFileSync(WS_FILE, 'utf8').split('\n').slice(1).filter((l) => l.trim() !== '');
  const messages = lines.map((l) => JSON.parse(l.slice(l.indexOf('{'))) as { stream: string; data: { e: string } });
  const streamOf = (kind: string) => messages.filter((m) => m.stream.endsWith(`@${kind}`));

  it('holds 1,535 messages: 91 aggTrade, 67 kline_1m, 613 bookTicker, 764 depth@100ms', () => {
    expect(messages).toHaveLength(1535);
    expect(streamOf('aggTrade'), 'SOURCES.md says 91').toHaveLength(91);
    expect(streamOf('kline_1m')).toHaveLength(67);
    expect(streamOf('bookTicker')).toHaveLength(613);
    expect(streamOf('depth@100ms')).toHaveLength(764);
  });

  it('parses every message; aggTrade, kline and bookTicker give one event each, diff depth none', () => {
    const events = messages.flatMap((m) => parseStreamMessage(m));
    const count = (type: SymbolEvent['type']) => events.filter((e) => e.type === type).length;
    expect(count('trade')).toBe(91);
    expect(count('candle')).toBe(67);
    expect(count('bookTicker')).toBe(613);
    expect(events, 'nothing else').toHaveLength(91 + 67 + 613);
    for (const e of events) for (const v of Object.values(e.type === 'trade' ? e.trade : e.type === 'candle' ? e.candle : e.type === 'bookTicker' ? e.book : {}))
      if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
  });

  it('splits the 91 trades into 44 taker sells (m true) and 47 taker buys', () => {
    const trades = streamOf('aggTrade').flatMap((m) => parseStreamMessage(m)).flatMap((e) => (e.type === 'trade' ? [e.trade] : []));
    expect(trades.filter((t) => t.side === 'SELL')).toHaveLength(44);
    expect(trades.filter((t) => t.side === 'BUY')).toHaveLength(47);
  });

  it('sees the 22:25 candles close at the minute boundary (4 closed klines, one per symbol)', () => {
    const closed = streamOf('kline_1m')
      .flatMap((m) => parseStreamMessage(m))
      .flatMap((e) => (e.type === 'candle' && e.candle.closed ? [e.candle] : []));
    expect(closed.map((c) => c.symbol).sort()).toEqual(['AKROUSDT', 'CTKUSDT', 'KEEPUSDT', 'SUSHIUSDT']);
    for (const c of closed) expect(c.openTime, '2021-07-22 22:25:00 UTC').toBe(1626992700000);
    for (const c of closed) expect(c.takerBuyVolume).toBeLessThanOrEqual(c.volume);
  });

  it('rebuilds the recorded connect URL from streamNamesFor-style names', () => {
    const url = readFileSync(WS_FILE, 'utf8').split('\n')[0] ?? '';
    const streams = new URL(url.split(' ')[0] ?? '').searchParams.get('streams')?.split('/') ?? [];
    expect(new Set(messages.map((m) => m.stream)), 'every message came on a requested stream').toEqual(new Set(streams));
  });
});

// --- Stream names ---

describe('streamNamesFor', () => {
  it('builds the default set (aggTrade, markPrice@1s, kline_1m, forceOrder) in lowercase', () => {
    expect(streamNamesFor(['BTCUSDT'])).toEqual(['btcusdt@aggTrade', 'btcusdt@markPrice@1s', 'btcusdt@kline_1m', 'btcusdt@forceOrder']);
  });

  it('adds bookTicker, partial depth with speed and several intervals; drops duplicates', () => {
    expect(
      streamNamesFor(['BTCUSDT', 'ethusdt', 'BTCUSDT'], {
        aggTrade: false,
        markPrice: '3s',
        klines: ['1m', '1h'],
        forceOrder: false,
        bookTicker: true,
        depth: { levels: 20, speed: '500ms' },
      }),
    ).toEqual([
      'btcusdt@markPrice',
      'btcusdt@kline_1m',
      'btcusdt@kline_1h',
      'btcusdt@bookTicker',
      'btcusdt@depth20@500ms',
      'ethusdt@markPrice',
      'ethusdt@kline_1m',
      'ethusdt@kline_1h',
      'ethusdt@bookTicker',
      'ethusdt@depth20@500ms',
    ]);
    expect(streamNamesFor(['BTCUSDT'], { aggTrade: false, markPrice: false, klines: [], forceOrder: false, depth: { levels: 5 } }), '250ms is the unsuffixed default').toEqual([
      'btcusdt@depth5',
    ]);
  });

  it('refuses a symbol that would corrupt the URL', () => {
    expect(() => streamNamesFor(['BTC/USDT'])).toThrow('"BTC/USDT"');
  });
});
