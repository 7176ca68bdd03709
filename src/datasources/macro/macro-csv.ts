import { dayStartOf, type MacroObservation } from '../../domain/macro.js';

/**
 * The CSV replay format of a macro series: one file per series (`SPX.csv`, `DXY.csv`, `GOLD.csv` in
 * MACRO_CSV_DIR), a `date,value` header, then one row per day: `2026-01-02,6858.47`. An empty value or
 * `.` (FRED's own marker, so a FRED CSV export works unchanged once its header is renamed) is a day without
 * a value. Rows may come in any order; the result is oldest first. A malformed row throws with its line
 * number: a replay that silently skipped rows would be a different series.
 */
export function parseMacroCsv(text: string, file = 'macro csv'): MacroObservation[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').trim().toLowerCase().replace(/\s+/g, '');
  if (header !== 'date,value') throw new Error(`${file}: line 1 must be the header "date,value", got ${JSON.stringify(lines[0] ?? '')}`);
  const byDate = new Map<string, MacroObservation>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(',');
    if (parts.length !== 2) throw new Error(`${file}: line ${i + 1}: expected "date,value", got ${JSON.stringify(line)}`);
    const date = parts[0]!.trim();
    const raw = parts[1]!.trim();
    const time = dayStartOf(date);
    if (!Number.isFinite(time)) throw new Error(`${file}: line ${i + 1}: ${JSON.stringify(date)} is not a YYYY-MM-DD date`);
    let value: number | null = null;
    if (raw !== '' && raw !== '.') {
      value = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
      if (!Number.isFinite(value)) throw new Error(`${file}: line ${i + 1}: ${JSON.stringify(raw)} is not a number`);
    }
    if (byDate.has(date)) throw new Error(`${file}: line ${i + 1}: ${date} appears twice`);
    byDate.set(date, { date, time, value });
  }
  return [...byDate.values()].sort((a, b) => a.time - b.time);
}
