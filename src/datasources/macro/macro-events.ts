import { readFile } from 'node:fs/promises';
import { request } from 'undici';
import { MacroEventImportances, type MacroEvent, type MacroEventImportance } from '../../domain/macro.js';
import { defaultMacroEvents } from './macro-events-default.js';

/**
 * Extra macro events in a small CSV format (MACRO_EVENTS_URL: an http(s) URL or a file path):
 *
 *   time,kind,title,importance,source
 *   2026-12-16T19:00:00Z,ECB,ECB monetary policy decision,HIGH,https://www.ecb.europa.eu/...
 *
 * `time` is ISO 8601 with `Z` or an offset; `importance` LOW, MEDIUM or HIGH; `source` optional; a field
 * may be double-quoted to hold commas (`""` is a quote). Rows are merged over the default calendar: a row
 * with the same kind and time replaces the default one. Events from this source count as confirmed (the
 * operator vouches for them). A malformed row throws with its line number.
 */
export function parseMacroEventsCsv(text: string, name = 'MACRO_EVENTS_URL'): MacroEvent[] {
  const lines = text.split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '').map((h) => h.trim().toLowerCase());
  const expected = ['time', 'kind', 'title', 'importance'];
  if (!expected.every((h, i) => header[i] === h) || (header.length === 5 && header[4] !== 'source') || header.length > 5) {
    throw new Error(`${name}: line 1 must be the header "time,kind,title,importance[,source]", got ${JSON.stringify(lines[0] ?? '')}`);
  }
  const out: MacroEvent[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const f = splitCsvLine(line).map((x) => x.trim());
    if (f.length < 4 || f.length > 5) throw new Error(`${name}: line ${i + 1}: expected 4 or 5 fields, got ${f.length}`);
    const [time, kind, title, importance, source] = f as [string, string, string, string, string | undefined];
    const t = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(time) ? Date.parse(time) : Number.NaN;
    if (!Number.isFinite(t)) throw new Error(`${name}: line ${i + 1}: ${JSON.stringify(time)} is not an ISO 8601 time with Z or an offset`);
    if (!/^[A-Za-z0-9_-]{1,20}$/.test(kind)) throw new Error(`${name}: line ${i + 1}: kind ${JSON.stringify(kind)} must be 1..20 letters, digits, _ or -`);
    if (!title) throw new Error(`${name}: line ${i + 1}: empty title`);
    const imp = importance.toUpperCase();
    if (!(imp in MacroEventImportances)) throw new Error(`${name}: line ${i + 1}: importance ${JSON.stringify(importance)} must be LOW, MEDIUM or HIGH`);
    out.push({ kind: kind.toUpperCase(), title, time: t, importance: imp as MacroEventImportance, source: source || name, confirmed: true });
  }
  return out.sort((a, b) => a.time - b.time);
}

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur.trim() === '') {
      quoted = true;
      cur = '';
    } else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Default calendar with `extra` merged over it (same kind and time: `extra` wins), ascending by time. */
export function mergeMacroEvents(base: readonly MacroEvent[], extra: readonly MacroEvent[]): MacroEvent[] {
  const byKey = new Map<string, MacroEvent>();
  for (const e of [...base, ...extra]) byKey.set(`${e.kind}@${e.time}`, e);
  return [...byKey.values()].sort((a, b) => a.time - b.time || a.kind.localeCompare(b.kind));
}

/**
 * The calendar: the default file (unless `includeDefault` is false) merged with MACRO_EVENTS_URL when set. A source that cannot be read or
 * parsed leaves the default calendar in place and says why in `error` (the server still starts).
 */
export async function loadMacroEvents(source: string | null, options: { timeoutMs?: number; includeDefault?: boolean } = {}): Promise<{ events: MacroEvent[]; error: string | null }> {
  const base = options.includeDefault === false ? [] : defaultMacroEvents();
  if (!source) return { events: base, error: null };
  try {
    let text: string;
    if (/^https?:\/\//i.test(source)) {
      const res = await request(source, { headersTimeout: options.timeoutMs ?? 10_000, bodyTimeout: options.timeoutMs ?? 10_000 });
      text = await res.body.text();
      if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`HTTP ${res.statusCode}`);
    } else {
      text = await readFile(source, 'utf8');
    }
    return { events: mergeMacroEvents(base, parseMacroEventsCsv(text)), error: null };
  } catch (error) {
    return { events: base, error: `MACRO_EVENTS_URL could not be read: ${(error as Error).message}` };
  }
}
