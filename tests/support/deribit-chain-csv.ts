import { readFileSync } from 'node:fs';
import type { SurfaceQuote } from '../../src/analyzers/options-surface.types.js';

/**
 * Reads one Deribit option-chain CSV of ../shared/data/deribit/options-chain-2020-05 (SOURCES.md §15) with its
 * own small CSV parser, independent of the replay mapper, for reference computations in tests. Prices stay in
 * BTC as recorded; an empty book side (best price 0.0, `[]`) is null.
 */
export interface RecordedChain {
  quotes: (SurfaceQuote & { instrument: string; markPrice: number })[];
  /** Newest row `timestamp` (the chain time the replay uses). */
  time: number;
  /** index_price of the newest row. */
  indexPrice: number;
}

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export function readRecordedChain(file: string): RecordedChain {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const header = splitCsvLine(lines[0]!);
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`column ${name} missing`);
    return i;
  };
  const num = (v: string | undefined): number | null => (v === undefined || v === '' ? null : Number(v));
  const positive = (v: number | null): number | null => (v !== null && v > 0 ? v : null);
  const dictNumber = (raw: string, key: string): number | null => {
    const m = new RegExp(`'${key}': (-?[0-9.e+-]+)`).exec(raw);
    return m ? Number(m[1]) : null;
  };
  let time = 0;
  let indexPrice = 0;
  const quotes = lines.slice(1).map((line) => {
    const f = splitCsvLine(line);
    const ts = Number(f[col('timestamp')]);
    if (ts > time) {
      time = ts;
      indexPrice = Number(f[col('index_price')]);
    }
    return {
      instrument: f[col('instrument_name')]!,
      kind: f[col('option_type')] === 'call' ? ('CALL' as const) : ('PUT' as const),
      strike: Number(f[col('strike')]),
      expiry: Number(f[col('expiration_timestamp')]),
      markPrice: Number(f[col('mark_price')]),
      markIv: num(f[col('mark_iv')]),
      bidIv: num(f[col('bid_iv')]),
      askIv: num(f[col('ask_iv')]),
      bidPrice: positive(num(f[col('best_bid_price')])),
      askPrice: positive(num(f[col('best_ask_price')])),
      delta: dictNumber(f[col('greeks')]!, 'delta'),
      openInterest: Number(f[col('open_interest')]),
      volume: dictNumber(f[col('stats')]!, 'volume') ?? 0,
      underlyingPrice: Number(f[col('underlying_price')]),
    };
  });
  return { quotes, time, indexPrice };
}
