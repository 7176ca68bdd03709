/**
 * Social / news sentiment: the seam for a future connector (e.g. a news-headline classifier or a social
 * volume/sentiment vendor). No implementation exists yet, so the sentiment analysis reports
 * `social: { available: false, note: "no social/news connector configured" }` instead of a number.
 *
 * Like every datasource it knows nothing about GraphQL: a connector validates its upstream payloads,
 * maps them to `SocialSentimentReading`s and owns its own rate limits and retries.
 */

/** One aggregated reading of social/news mood for a key (`ALL` or an asset such as `BTC`). */
export interface SocialSentimentReading {
  /** `ALL` for the whole market, else a base asset (`BTC`, `ETH`). */
  key: string;
  /** 0 (very negative) .. 100 (very positive). */
  score: number;
  /** Items (posts, articles) the score was computed from over the window. */
  sampleSize: number;
  /** Window the reading covers, epoch ms [from, to). */
  from: number;
  to: number;
  /** Connector name, e.g. `cryptopanic`. */
  source: string;
}

export interface SocialSentimentSource {
  /** Connector name shown in the analysis output. */
  readonly name: string;
  /** The keys this connector covers. */
  keys(): readonly string[];
  /** The latest reading for a key, or null when the connector has none yet. */
  latest(key: string): Promise<SocialSentimentReading | null>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
