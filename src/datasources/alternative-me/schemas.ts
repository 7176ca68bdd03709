import { z } from 'zod';

/**
 * Zod schemas for the alternative.me Crypto Fear & Greed Index API. Loose on extra keys. The API sends
 * every number as a string (`"value":"72"`, `"timestamp":"1745366400"`); they become finite numbers
 * here, and a string that is not an unsigned integer fails validation rather than becoming NaN.
 */

const quote = (s: string) => JSON.stringify(s.length > 24 ? `${s.slice(0, 24)}…` : s);

/** `"72"` -> 72. Rejects `""`, `"7.5"`, `"-1"`, `"abc"` and numbers too large to be exact. */
const uintString = z.string().transform((s, ctx) => {
  const n = /^\d{1,15}$/.test(s) ? Number(s) : Number.NaN;
  if (Number.isSafeInteger(n)) return n;
  ctx.issues.push({ code: 'custom', message: `expected an unsigned integer string, got ${quote(s)}`, input: s });
  return z.NEVER;
});

/** One daily reading. Only the newest carries `time_until_update` (seconds until the next one). */
export const fngEntrySchema = z.looseObject({
  value: uintString.pipe(z.number().max(100)),
  value_classification: z.string().min(1),
  /** Unix seconds: 00:00 UTC of the day the value belongs to. */
  timestamp: uintString,
  time_until_update: uintString.optional(),
});
export type FngEntry = z.infer<typeof fngEntrySchema>;

/** `GET /fng/?limit=N`: newest first; `metadata.error` is null unless the request failed. */
export const fngResponseSchema = z.looseObject({
  name: z.string().optional(),
  data: z.array(fngEntrySchema),
  metadata: z.looseObject({ error: z.string().nullable() }),
});
export type FngResponse = z.infer<typeof fngResponseSchema>;
