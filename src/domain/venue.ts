/**
 * Venues as the API names them. BINANCE, BYBIT and OKX are the perpetual venues perpgraph can ingest at
 * once (MARKET_VENUES); DERIBIT publishes the options chains; AGGREGATED names a value computed across the
 * perpetual venues (src/analyzers/aggregated-*.ts).
 */
export const Venues = { BINANCE: 'BINANCE', BYBIT: 'BYBIT', OKX: 'OKX', DERIBIT: 'DERIBIT', AGGREGATED: 'AGGREGATED' } as const;
export type Venue = (typeof Venues)[keyof typeof Venues];

/** The perpetual venues, in the order they are listed. */
export const PERP_VENUES = ['BINANCE', 'BYBIT', 'OKX'] as const;
export type PerpVenue = (typeof PERP_VENUES)[number];

/** MARKET_SOURCE / MARKET_VENUES spelling (lower case) of each perpetual venue. */
export const perpVenueOfSetting = (setting: string): PerpVenue | undefined => PERP_VENUES.find((v) => v.toLowerCase() === setting.trim().toLowerCase());

/**
 * How a venue stands for one aggregated value. OK: it contributed. STALE: it has data, but an input the
 * value needs is overdue (judged like `meta.stale`), so it was left out. MISSING: it has never delivered
 * that input (not started, down since the start, or the venue does not publish it).
 */
export const VenueStatuses = { OK: 'OK', STALE: 'STALE', MISSING: 'MISSING' } as const;
export type VenueStatus = (typeof VenueStatuses)[keyof typeof VenueStatuses];

/** A venue left out of an aggregated value, and why. */
export interface VenueExclusion {
  venue: PerpVenue;
  status: Exclude<VenueStatus, 'OK'>;
  reason: string;
}
