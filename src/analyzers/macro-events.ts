import type { MacroEvent } from '../domain/macro.js';

/**
 * Timing of scheduled macro events (CPI, FOMC, ...) relative to `now`: the next ones and the time to them,
 * and the high-importance event close enough to matter for risk. Pure: `now` is an input.
 */

export interface UpcomingMacroEvent extends MacroEvent {
  /** time − now, ms (negative: released that long ago). */
  inMs: number;
}

export interface UpcomingOptions {
  /** Most events returned. Default 5. */
  limit?: number;
  /** Events further ahead than this are left out. Default 45 days. */
  horizonMs?: number;
}

export const MACRO_EVENT_HORIZON_MS = 45 * 86_400_000;

/** The next events at or after `now`, soonest first, with the time to each. */
export function upcomingMacroEvents(events: readonly MacroEvent[], now: number, options: UpcomingOptions = {}): UpcomingMacroEvent[] {
  const limit = options.limit ?? 5;
  const horizonMs = options.horizonMs ?? MACRO_EVENT_HORIZON_MS;
  if (!Number.isInteger(limit) || limit < 0) throw new Error(`limit must be an integer ≥ 0, got ${limit}`);
  return events
    .filter((e) => e.time >= now && e.time - now <= horizonMs)
    .sort((a, b) => a.time - b.time)
    .slice(0, limit)
    .map((e) => ({ ...e, inMs: e.time - now }));
}

export interface ProximityWindow {
  /** How long before a HIGH event it counts as near. Default 24 h. */
  beforeMs: number;
  /** How long after its release it still counts (the repricing). Default 2 h. */
  afterMs: number;
}

export const DEFAULT_PROXIMITY_WINDOW: Readonly<ProximityWindow> = { beforeMs: 24 * 3_600_000, afterMs: 2 * 3_600_000 };

/** The HIGH-importance event nearest to `now` within [now − afterMs, now + beforeMs]; the upcoming one wins a tie. Null: none. */
export function nearHighImportanceEvent(events: readonly MacroEvent[], now: number, window: Partial<ProximityWindow> = {}): UpcomingMacroEvent | null {
  const w = { ...DEFAULT_PROXIMITY_WINDOW, ...window };
  let best: UpcomingMacroEvent | null = null;
  for (const e of events) {
    if (e.importance !== 'HIGH') continue;
    const inMs = e.time - now;
    if (inMs > w.beforeMs || inMs < -w.afterMs) continue;
    if (!best || Math.abs(inMs) < Math.abs(best.inMs) || (Math.abs(inMs) === Math.abs(best.inMs) && inMs > best.inMs)) best = { ...e, inMs };
  }
  return best;
}
