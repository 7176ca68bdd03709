import { AnalysisKinds } from './analysis.js';

const KNOWN_KINDS: ReadonlySet<string> = new Set(Object.values(AnalysisKinds));

/**
 * Bounded snapshot history: each kind of analysis has tiers "up to AGE, keep one row per RESOLUTION".
 *
 *   1h:full,1d:5m,7d:15m,90d:1h   (the default, `DEFAULT_SNAPSHOT_RETENTION` in config)
 *
 * reads: rows younger than an hour are kept as written; up to a day old, one row per 5 minutes of `as_of`; up to
 * seven days, one per 15 minutes; up to ninety days, one per hour; older than ninety days, deleted. `full` keeps every
 * row; the last tier may have the age `forever` (nothing is ever deleted). Age is measured on `created_at`
 * (when the row was written, so a replay of old recordings is not pruned on arrival); buckets are aligned
 * on `as_of` (epoch-aligned minutes, hours, …) and the newest row of each bucket is the one kept, so
 * downsampling is idempotent and a coarser tier keeps a subset of what a finer one kept.
 */
export interface RetentionTier {
  /** Rows up to this age (ms since written) belong to this tier; Infinity for `forever`. */
  maxAgeMs: number;
  /** One row kept per bucket of this many ms of as_of; null keeps every row. */
  resolutionMs: number | null;
}

export type RetentionPolicy = readonly RetentionTier[];

export interface RetentionSettings {
  /** Applies to every kind without an entry in `byKind`. */
  default: RetentionPolicy;
  byKind: ReadonlyMap<string, RetentionPolicy>;
}

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `90s`, `10m`, `1h`, `1d`, `2w`, `500ms` → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration like 30s, 10m, 1h, 1d or 2w`);
  const ms = Number(match[1]) * UNITS[match[2]!]!;
  if (!(ms >= 1)) throw new Error(`"${text}" must be at least one millisecond`);
  return Math.round(ms);
}

/** Parses `1d:full,7d:1m,90d:1h`; throws with the offending part quoted. */
export function parseRetentionPolicy(text: string): RetentionPolicy {
  const tiers = text.split(',').map((part, i, all) => {
    const [age, resolution, extra] = part.trim().split(':');
    if (age === undefined || resolution === undefined || extra !== undefined) throw new Error(`"${part}" is not AGE:RESOLUTION (e.g. 7d:1m)`);
    const forever = age.trim() === 'forever';
    if (forever && i !== all.length - 1) throw new Error(`"${part}": only the last tier may be forever`);
    return { maxAgeMs: forever ? Infinity : parseDuration(age), resolutionMs: resolution.trim() === 'full' ? null : parseDuration(resolution) };
  });
  for (let i = 1; i < tiers.length; i += 1) {
    const [prev, tier] = [tiers[i - 1]!, tiers[i]!];
    if (!(tier.maxAgeMs > prev.maxAgeMs)) throw new Error(`"${text}": tier ages must increase`);
    if (tier.resolutionMs !== null && prev.resolutionMs !== null && tier.resolutionMs < prev.resolutionMs) {
      throw new Error(`"${text}": an older tier cannot be finer than a younger one`);
    }
    if (tier.resolutionMs === null && prev.resolutionMs !== null) throw new Error(`"${text}": "full" after a downsampled tier`);
  }
  return tiers;
}

/** `LIQUIDATION_HEATMAP=6h:full,7d:1h;FUNDING=forever:full` → per-kind policies. */
export function parseRetentionByKind(text: string): Map<string, RetentionPolicy> {
  const byKind = new Map<string, RetentionPolicy>();
  for (const entry of text.split(';').map((e) => e.trim()).filter(Boolean)) {
    const eq = entry.indexOf('=');
    const kind = entry.slice(0, eq).trim();
    if (eq < 1 || !/^[A-Z0-9_]+$/.test(kind)) throw new Error(`"${entry}" is not KIND=POLICY (e.g. LIQUIDATION_HEATMAP=6h:full,7d:1h)`);
    // A misspelt kind would silently keep the default policy for the kind that was meant.
    if (!KNOWN_KINDS.has(kind)) throw new Error(`"${kind}" is not an analysis kind (one of ${[...KNOWN_KINDS].join(', ')})`);
    if (byKind.has(kind)) throw new Error(`"${kind}" is given twice`);
    byKind.set(kind, parseRetentionPolicy(entry.slice(eq + 1)));
  }
  return byKind;
}

/**
 * Market-data archive retention: `TYPE=AGE` pairs, comma-separated, e.g.
 * `candle:1m=180d,markPrice=90d,default=forever`. TYPE is a record type (funding, markPrice, openInterest,
 * longShortRatio, takerVolume, basis, liquidation, trade, optionsChain, fearGreed, globalMarket),
 * `candle:<interval>` for one candle interval, `candle` for every other interval, or `default` for every
 * other type; AGE is a duration or `forever`. Rows whose own time is older than AGE are deleted.
 */
export type ArchiveRetention = ReadonlyMap<string, number>;

export const ARCHIVE_RECORD_TYPES = ['funding', 'markPrice', 'openInterest', 'longShortRatio', 'takerVolume', 'basis', 'liquidation', 'trade', 'optionsChain', 'fearGreed', 'globalMarket'] as const;

export function parseArchiveRetention(text: string): ArchiveRetention {
  const out = new Map<string, number>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [type, age, extra] = part.split('=').map((x) => x.trim());
    if (!type || !age || extra !== undefined) throw new Error(`"${part}" is not TYPE=AGE (e.g. candle:1m=180d)`);
    const known =
      type === 'default' ||
      type === 'candle' ||
      (ARCHIVE_RECORD_TYPES as readonly string[]).includes(type) ||
      /^candle:(1m|3m|5m|15m|30m|1h|2h|4h|6h|8h|12h|1d|1w)$/.test(type);
    if (!known) throw new Error(`"${type}" is not an archive type (candle, candle:<interval>, default, ${ARCHIVE_RECORD_TYPES.join(', ')})`);
    if (out.has(type)) throw new Error(`"${type}" is given twice`);
    out.set(type, age === 'forever' ? Infinity : parseDuration(age));
  }
  return out;
}
