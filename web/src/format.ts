/** Number formatting shared by the panels; `–` marks a missing value (never a made-up zero). */
export const DASH = '–';

export function num(value: number | null | undefined, digits = 2): string {
  if (value == null || !Number.isFinite(value)) return DASH;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A price with as many decimals as its size needs (BTC 2, a 0.1 coin 5). */
export function price(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return DASH;
  const abs = Math.abs(value);
  return num(value, abs >= 1000 ? 1 : abs >= 10 ? 2 : abs >= 1 ? 4 : 6);
}

/** A value already in percent (basisPct, atrPct …). */
export function pct(value: number | null | undefined, digits = 2): string {
  return value == null || !Number.isFinite(value) ? DASH : `${num(value, digits)} %`;
}

/** A fraction (0..1) shown as percent. */
export function fraction(value: number | null | undefined, digits = 0): string {
  return value == null || !Number.isFinite(value) ? DASH : `${num(value * 100, digits)} %`;
}

/** USD notional in k / M / B. */
export function usd(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return DASH;
  const abs = Math.abs(value);
  if (abs >= 1e9) return `$${num(value / 1e9, 2)}B`;
  if (abs >= 1e6) return `$${num(value / 1e6, 2)}M`;
  if (abs >= 1e3) return `$${num(value / 1e3, 1)}k`;
  return `$${num(value, 0)}`;
}

export function time(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? DASH : d.toISOString().slice(11, 19);
}

export function label(enumValue: string | null | undefined): string {
  return enumValue ? enumValue.replace(/_/g, ' ').toLowerCase() : DASH;
}

/** A CSS class for a direction-like enum value. */
export function tone(value: string | null | undefined): string {
  if (!value) return 'muted';
  if (/BULL|LONG_BIAS|UP|LONG$|BUY|RISK_ON|NEW_LONGS|SHORT_COVERING|CONTANGO|ACCUMULAT|MARKUP|UPTREND/.test(value)) return 'up';
  if (/BEAR|SHORT_BIAS|DOWN|SHORT$|SELL|RISK_OFF|NEW_SHORTS|LONG_LIQUIDATION|BACKWARDATION|DISTRIBUT|MARKDOWN|DOWNTREND|OVERHEATED|CROWDED|EXTREME|SEVERE|CASCADE/.test(value)) return 'down';
  return 'muted';
}

/** Escapes text for innerHTML templates. */
export function esc(text: unknown): string {
  return String(text ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
