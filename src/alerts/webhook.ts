import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { describeError, type ChannelContext } from './channel-context.js';
import { classifyStatus, retryAfterHeaderMs, safePost, TargetRefusedError, validateTargetUrl } from './safe-http.js';
import { digestItems, slotLabel } from './digest.js';
import { provenanceBanner, type AlertMessage, type DeliveryResult } from './types.js';

/**
 * Generic signed webhook: a JSON POST with
 *   X-Perpgraph-Timestamp: <unix seconds>
 *   X-Perpgraph-Signature: v1=<hex HMAC-SHA256(secret, `${timestamp}.${body}`)>
 *   X-Perpgraph-Idempotency-Key: <rule + triggering record>
 * the scheme of Stripe's `Stripe-Signature` (timestamp + body, so a captured request cannot be replayed
 * later) and GitHub's `X-Hub-Signature-256` (hex HMAC-SHA256). Receivers verify with {@link verifyWebhookSignature}
 * (README "Alerts" has a standalone snippet) and dedupe on the idempotency key.
 */

export const SIGNATURE_HEADER = 'x-perpgraph-signature';
export const TIMESTAMP_HEADER = 'x-perpgraph-timestamp';
export const IDEMPOTENCY_HEADER = 'x-perpgraph-idempotency-key';

/** A new signing secret, shown once when the rule is created. */
export const generateWebhookSecret = () => `whsec_${randomBytes(24).toString('base64url')}`;

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Receiver side: true when `signature` is a valid v1 HMAC of `${timestamp}.${body}` and the timestamp is
 * within `toleranceSec` of `nowSec` (default 300 s, Stripe's). Constant-time comparison.
 */
export function verifyWebhookSignature(options: { secret: string; timestamp: string | undefined; body: string; signature: string | undefined; nowSec: number; toleranceSec?: number }): boolean {
  const { secret, timestamp, body, signature, nowSec } = options;
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(nowSec - Number(timestamp)) > (options.toleranceSec ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  // Several signatures may be sent while a secret is rotated: any one valid v1 entry passes.
  return signature.split(',').some((part) => {
    const given = Buffer.from(part.trim());
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** The JSON body: the message with ISO times and a `text` whose first line says SIMULATED / TEST when so. */
export function webhookBody(message: AlertMessage): string {
  const banner = provenanceBanner(message);
  const card = message.digest;
  const lines = card ? digestItems(card).map(({ symbol, item }) => `${symbol ?? 'Market'} · ${item.label}: ${item.text}`) : [];
  return JSON.stringify({
    type: message.test ? 'alert.test' : card ? 'digest.sent' : 'alert.fired',
    id: message.eventId,
    idempotencyKey: message.idempotencyKey,
    text: [banner, message.title, message.summary, ...lines].filter(Boolean).join('\n'),
    ruleId: message.ruleId,
    ruleName: message.ruleName,
    event: message.event,
    symbol: message.symbol,
    severity: message.severity,
    title: message.title,
    summary: message.summary,
    factors: message.factors,
    meta: { source: message.meta.source, venue: message.meta.venue, asOf: new Date(message.meta.asOf).toISOString() },
    firedAt: new Date(message.firedAt).toISOString(),
    test: message.test,
    // A digest's card: one section list per symbol and the market-wide ones; a missing reading has
    // available false, its reason, and no values (never a zero).
    ...(card
      ? {
          digest: {
            slot: new Date(card.slot).toISOString(),
            slotLabel: slotLabel(card.slot, card.timezone),
            cron: card.cron,
            timezone: card.timezone,
            late: card.late,
            market: card.market.map(sectionJson),
            symbols: card.symbols.map((s) => ({ symbol: s.symbol, sections: s.items.map(sectionJson) })),
          },
        }
      : {}),
  });
}

function sectionJson(item: NonNullable<AlertMessage['digest']>['market'][number]) {
  return {
    section: item.section,
    label: item.label,
    available: item.available,
    text: item.text,
    reason: item.reason,
    values: item.values,
    source: item.source,
    venue: item.venue,
    asOf: item.asOf === null ? null : new Date(item.asOf).toISOString(),
    stale: item.stale,
  };
}

export function validateWebhookUrl(url: string): void {
  validateTargetUrl(url);
}

export async function sendWebhook(channel: { url: string; secret: string }, message: AlertMessage, ctx: ChannelContext): Promise<DeliveryResult> {
  const secret = ctx.secrets.open(channel.secret);
  const body = webhookBody(message);
  const timestamp = String(Math.floor(ctx.now() / 1000));
  try {
    const response = await safePost(channel.url, {
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': ctx.userAgent,
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
        [IDEMPOTENCY_HEADER]: message.idempotencyKey,
        'x-perpgraph-event': message.event,
      },
      timeoutMs: ctx.timeoutMs,
      maxResponseBytes: ctx.maxResponseBytes,
      allowPrivate: ctx.allowPrivate,
      ...(ctx.resolver ? { resolver: ctx.resolver } : {}),
    });
    const { ok, permanent } = classifyStatus(response.statusCode);
    if (ok) return { ok, statusCode: response.statusCode };
    const retryAfterMs = response.statusCode === 429 || response.statusCode === 503 ? retryAfterHeaderMs(response.headers['retry-after'], ctx.now()) : undefined;
    const redirect = response.statusCode >= 300 && response.statusCode < 400 ? ' (redirects are not followed)' : '';
    return { ok: false, permanent, statusCode: response.statusCode, ...(retryAfterMs === undefined ? {} : { retryAfterMs }), error: `HTTP ${response.statusCode}${redirect}` };
  } catch (error) {
    return { ok: false, statusCode: null, permanent: error instanceof TargetRefusedError, error: describeError(error) };
  }
}
