import type { DataOrigin } from '../domain/market.js';
import type { DigestCard } from './digest.js';

/** What a rule listens to. `DIGEST` is a scheduled summary card rather than an event. */
export const AlertEventTypes = {
  CASCADE_DETECTED: 'CASCADE_DETECTED',
  FUNDING_ANOMALY: 'FUNDING_ANOMALY',
  VOLATILITY_REGIME_CHANGED: 'VOLATILITY_REGIME_CHANGED',
  MTF_REGIME_CONFIRMED: 'MTF_REGIME_CONFIRMED',
  CORRELATION_BREAK: 'CORRELATION_BREAK',
  TRAP_DETECTED: 'TRAP_DETECTED',
  WHALE_TRADE: 'WHALE_TRADE',
  CONFIRMATION_THRESHOLD: 'CONFIRMATION_THRESHOLD',
  PRICE_LEVEL_CROSSED: 'PRICE_LEVEL_CROSSED',
  EMERGENCY_LEVEL_CHANGED: 'EMERGENCY_LEVEL_CHANGED',
  DIGEST: 'DIGEST',
} as const;
export type AlertEventType = (typeof AlertEventTypes)[keyof typeof AlertEventTypes];

export const AlertSeverities = { INFO: 'INFO', WARNING: 'WARNING', CRITICAL: 'CRITICAL' } as const;
export type AlertSeverity = (typeof AlertSeverities)[keyof typeof AlertSeverities];

/** One explanatory line of an alert: an analysis factor or a measured value. */
export interface AlertFactor {
  name: string;
  value: string;
  note?: string | null;
}

/**
 * A channel-neutral alert, JSON-safe (it is stored in the outbox and crosses Redis). Every channel renders
 * it in its own format; a SIMULATED or REPLAY source and a test are said in the first line of each.
 */
export interface AlertMessage {
  /** The idempotency key of the event: rule + triggering record (or digest slot). */
  idempotencyKey: string;
  eventId: string;
  ruleId: string;
  ruleName: string | null;
  event: AlertEventType;
  symbol: string | null;
  severity: AlertSeverity;
  title: string;
  summary: string;
  factors: AlertFactor[];
  meta: { source: DataOrigin; venue: string; asOf: number };
  firedAt: number;
  /** Sent by testAlertRule: a test message, not a market event. */
  test: boolean;
  /** A DIGEST rule's summary card (channels render it instead of the factor list). */
  digest?: DigestCard;
}

/** The first line every channel starts with when the alert is not a live market event (else null). */
export function provenanceBanner(message: Pick<AlertMessage, 'test' | 'meta'>): string | null {
  const parts: string[] = [];
  if (message.test) parts.push('TEST MESSAGE (not a market event)');
  if (message.meta.source === 'SIMULATED') parts.push('SIMULATED data, not a live market');
  if (message.meta.source === 'REPLAY') parts.push('REPLAY of recorded data, not a live market');
  return parts.length === 0 ? null : parts.join(' · ');
}

export const ChannelTypes = { WEBHOOK: 'WEBHOOK', DISCORD: 'DISCORD', TELEGRAM: 'TELEGRAM' } as const;
export type ChannelType = (typeof ChannelTypes)[keyof typeof ChannelTypes];

/** A channel as stored (secrets sealed with src/alerts/secrets.ts; never returned or logged). */
export type StoredChannel =
  | { type: 'WEBHOOK'; url: string; secret: string }
  | { type: 'DISCORD'; url: string }
  | { type: 'TELEGRAM'; botToken: string; chatId: string };

/** What one delivery attempt came to. */
export interface DeliveryResult {
  ok: boolean;
  statusCode: number | null;
  /** The receiver asked to wait this long before the next try (429 retry_after, Retry-After). */
  retryAfterMs?: number;
  /** Retrying cannot help (refused target, 4xx other than 408/429, a message the receiver cannot parse). */
  permanent?: boolean;
  error?: string;
}
