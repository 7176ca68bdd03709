import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { compressionRegistry, CompressionType, tableFromIPC, type Table } from 'apache-arrow';
import { decompress as lz4Decompress } from 'lz4js';
import type { ReplayContainer } from './replay-files.js';

/**
 * Synchronous, bounded-memory readers. A file is read in fixed chunks and yields one record (its
 * comma-separated fields) at a time, so a directory of large dumps never has to fit in memory; only the
 * head of every open file does. Synchronous on purpose: the warm-up is pushed inside `start()` and each
 * replay tick reads only what it emits.
 *
 * A record is `{ line, fields }`: `line` is the 1-based CSV line or JSON row number, for error messages.
 */
export interface RawRecord {
  line: number;
  fields: string[];
}

const CHUNK = 1 << 16;

/** Lines of a text file, `\r\n` or `\n`. Closes the file when the generator ends or is `return()`ed. */
function* readLines(path: string): Generator<string> {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    const decoder = new StringDecoder('utf8');
    let rest = '';
    for (;;) {
      const n = readSync(fd, buffer, 0, CHUNK, null);
      if (n === 0) break;
      const text = rest + decoder.write(buffer.subarray(0, n));
      let start = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
        yield text.charCodeAt(nl - 1) === 13 ? text.slice(start, nl - 1) : text.slice(start, nl);
        start = nl + 1;
      }
      rest = text.slice(start);
    }
    rest += decoder.end();
    if (rest.length > 0) yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
  } finally {
    closeSync(fd);
  }
}

/**
 * Fields of one CSV line. Plain lines are split on commas; a line with a `"` is split RFC 4180-style
 * (quoted fields may hold commas, `""` is a quote), as pandas writes nested values (Deribit chain CSVs).
 * Quoted fields never span lines in the recordings read here.
 */
export function splitCsvLine(text: string): string[] {
  if (!text.includes('"')) return text.split(',').map((f) => f.trim());
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field.trim());
      field = '';
    } else field += c;
  }
  out.push(field.trim());
  return out;
}

function* csvRecords(path: string): Generator<RawRecord> {
  let line = 0;
  for (const text of readLines(path)) {
    line += 1;
    if (text.trim().length === 0) continue;
    yield { line, fields: splitCsvLine(text) };
  }
}

/** The first line of a CSV file as fields (its header), or null for an empty file. */
export function readCsvHeader(path: string): string[] | null {
  const lines = readLines(path);
  try {
    const first = lines.next();
    return first.done ? null : splitCsvLine(first.value);
  } finally {
    void lines.return(undefined);
  }
}

/**
 * The alternative.me API response (`{"name":…,"data":[{"value":"72","value_classification":"Greed",
 * "timestamp":"1745366400",…}]}`) as `[timestamp, value, value_classification]` rows, oldest first (the API
 * lists the newest first). A small document: parsed whole.
 */
function* fngJsonRecords(path: string): Generator<RawRecord> {
  const doc: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const data = doc !== null && typeof doc === 'object' && 'data' in doc && Array.isArray(doc.data) ? (doc.data as unknown[]) : null;
  if (data === null) throw new Error(`${path}: not an alternative.me response (no "data" array)`);
  const rows = data.map((d, i) => {
    const r = (d ?? {}) as Record<string, unknown>;
    return { line: i + 1, fields: [String(r.timestamp ?? ''), String(r.value ?? ''), String(r.value_classification ?? '')] };
  });
  rows.sort((a, b) => Number(a.fields[0]) - Number(b.fields[0]));
  yield* rows;
}

/**
 * Rows of a freqtrade JSON file: one array of flat number arrays (`[[ms,o,h,l,c,v],…]`). Scans characters
 * for the inner brackets instead of `JSON.parse` on the whole file.
 */
function* freqtradeJsonRecords(path: string): Generator<RawRecord> {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    const decoder = new StringDecoder('utf8');
    let depth = 0;
    let row = '';
    let line = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, CHUNK, null);
      if (n === 0) break;
      const text = decoder.write(buffer.subarray(0, n));
      let rowStart = depth === 2 ? 0 : -1;
      for (let i = 0; i < text.length; i += 1) {
        const c = text.charCodeAt(i);
        if (c === 91 /* [ */) {
          depth += 1;
          if (depth === 2) rowStart = i + 1;
          else if (depth > 2) throw new Error(`${path}: nested arrays deeper than a freqtrade row at row ${line + 1}`);
        } else if (c === 93 /* ] */) {
          if (depth === 2) {
            row += text.slice(rowStart, i);
            line += 1;
            yield { line, fields: row.split(',').map((f) => f.trim()) };
            row = '';
            rowStart = -1;
          }
          depth -= 1;
        }
      }
      if (depth === 2 && rowStart >= 0) row += text.slice(rowStart);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * pyarrow (and so freqtrade) writes feather v2 with LZ4-frame compressed buffers by default; apache-arrow
 * decodes them through a codec it is given. Registered once, on the first feather file.
 */
let lz4Registered = false;
function registerLz4(): void {
  if (lz4Registered) return;
  compressionRegistry.set(CompressionType.LZ4_FRAME, { decode: (data) => lz4Decompress(data) });
  lz4Registered = true;
}

/** Columns of a freqtrade feather file, in the order of a freqtrade JSON row. */
const FEATHER_COLUMNS = ['date', 'open', 'high', 'low', 'close', 'volume'] as const;

function featherTable(path: string): Table {
  registerLz4();
  // Whole file: freqtrade feather files are small (≤ 300 KB for 10 k 5m candles); Arrow needs the footer.
  const table = tableFromIPC(readFileSync(path));
  const missing = FEATHER_COLUMNS.filter((c) => table.getChild(c) === null);
  if (missing.length > 0) throw new Error(`${path}: not a freqtrade feather file (no column ${missing.join(', ')})`);
  return table;
}

/**
 * Rows of a freqtrade feather file as the fields of a freqtrade JSON row (`[date_ms, o, h, l, c, v]`), so
 * the same mappers read both. `date` is `timestamp[ns, UTC]`; apache-arrow returns it in epoch ms.
 */
function* featherRecords(path: string, from = 0): Generator<RawRecord> {
  const table = featherTable(path);
  const columns = FEATHER_COLUMNS.map((c) => table.getChild(c));
  for (let i = Math.max(0, from < 0 ? table.numRows + from : from); i < table.numRows; i += 1) {
    yield { line: i + 1, fields: columns.map((col) => String(col?.get(i) ?? '')) };
  }
}

export function readRecords(path: string, container: ReplayContainer): Generator<RawRecord> {
  if (container === 'csv') return csvRecords(path);
  if (container === 'freqtrade-feather') return featherRecords(path);
  if (container === 'fng-json') return fngJsonRecords(path);
  return freqtradeJsonRecords(path);
}

/** The last `CHUNK` bytes of a file as text (whole file when smaller), and whether that is the whole file. */
function readTail(path: string): { text: string; whole: boolean } {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, CHUNK);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return { text: buffer.toString('utf8'), whole: length === size };
  } finally {
    closeSync(fd);
  }
}

/**
 * The last records of a file, newest last (at most `max`), read from its tail only; used to find where a
 * file ends without reading it. Line numbers are unknown there and given as 0.
 */
export function readLastRecords(path: string, container: ReplayContainer, max = 4): RawRecord[] {
  if (container === 'freqtrade-feather') return [...featherRecords(path, -max)];
  if (container === 'fng-json') return [...fngJsonRecords(path)].slice(-max);
  const { text, whole } = readTail(path);
  const out: RawRecord[] = [];
  if (container === 'csv') {
    const lines = text.split('\n');
    // The first line of a partial tail may be cut.
    const usable = whole ? lines : lines.slice(1);
    for (let i = usable.length - 1; i >= 0 && out.length < max; i -= 1) {
      const l = (usable[i] ?? '').trim();
      if (l.length > 0) out.unshift({ line: 0, fields: splitCsvLine(l) });
    }
  } else {
    const rows = [...text.matchAll(/\[([^[\]]*)\]/g)];
    for (let i = rows.length - 1; i >= 0 && out.length < max; i -= 1) {
      // A cut row has lost its `[`, so every match is a whole row.
      const m = rows[i];
      if (!m) continue;
      out.unshift({ line: 0, fields: (m[1] ?? '').split(',').map((f) => f.trim()) });
    }
  }
  return out;
}
