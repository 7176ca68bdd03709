import { clip, describeError, type ChannelContext } from './channel-context.js';
import { classifyStatus, retryAfterHeaderMs, safePost, TargetRefusedError, validateTargetUrl } from './safe-http.js';
import { digestItems } from './digest.js';
import { provenanceBanner, type AlertMessage, type AlertSeverity, type DeliveryResult } from './types.js';

/**
 * Discord "Execute Webhook" (POST /api/webhooks/{id}/{token}?wait=true) with one embed.
 * @see https://discord.com/developers/docs/resources/webhook#execute-webhook
 * @see https://discord.com/developers/docs/resources/message#embed-object-embed-limits (title 256, description 4096,
 *   25 fields of name 256 / value 1024, footer 2048, 6000 in all)
 * @see https://discord.com/developers/docs/topics/rate-limits (429 body `retry_after` in seconds,
 *   headers `X-RateLimit-Reset-After` / `Retry-After`)
 * The webhook URL holds its token, so it is a secret: stored sealed, never returned or logged. Discord has no
 * idempotency key for webhooks: the outbox sends each (event, channel) once and marks it delivered.
 */

export const DISCORD_COLORS: Record<AlertSeverity, number> = { CRITICAL: 0xe74c3c, WARNING: 0xf1c40f, INFO: 0x3498db };

/** A Discord webhook URL under the configured API base (`<base>/api/webhooks/<id>/<token>`). */
export function validateDiscordUrl(url: string, base: string): void {
  const parsed = validateTargetUrl(url);
  const root = new URL(base);
  const prefix = `${root.origin}${root.pathname.replace(/\/$/, '')}/api/webhooks/`;
  if (!`${parsed.origin}${parsed.pathname}`.startsWith(prefix) || !/\/api\/webhooks\/\d+\/[A-Za-z0-9_-]+\/?$/.test(parsed.pathname)) {
    throw new Error(`a Discord webhook URL looks like ${prefix}<id>/<token>`);
  }
}

/**
 * A digest's fields: one per symbol and section while they fit the 25 fields of an embed, else one per symbol
 * (its sections as lines) and one per market-wide section. Embeds hold 6000 characters in all: values are
 * clipped so that 25 fields stay within it.
 */
export function digestFields(card: NonNullable<AlertMessage['digest']>): Array<{ name: string; value: string; inline: boolean }> {
  const items = digestItems(card);
  // 25 × (≈ 40 name + 170 value) + title, description and footer stay under 6000.
  if (items.length <= 25) return items.map(({ symbol, item }) => ({ name: clip(`${symbol ?? 'Market'} · ${item.label}`, 64), value: clip(item.text, 170) || '-', inline: false }));
  // At most 10 symbols + 1 market-wide section: 11 fields of ≤ 5 lines × 80 characters.
  return [
    ...card.market.map((item) => ({ name: clip(`Market · ${item.label}`, 64), value: clip(item.text, 170) || '-', inline: false })),
    ...card.symbols.map((s) => ({ name: clip(s.symbol, 64), value: clip(s.items.map((i) => clip(`${i.label}: ${i.text}`, 80)).join('\n'), 450) || '-', inline: false })),
  ].slice(0, 25);
}

export function discordPayload(message: AlertMessage): Record<string, unknown> {
  const banner = provenanceBanner(message);
  const footer = `source ${message.meta.source} · ${message.meta.venue} · as of ${new Date(message.meta.asOf).toISOString()}`;
  return {
    username: 'perpgraph',
    // The first line a reader sees (notification preview and message) says when it is not live.
    ...(banner ? { content: `**${banner}**` } : {}),
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title: clip(`${banner ? '[' + (message.test ? 'TEST' : message.meta.source) + '] ' : ''}${message.title}`, 256),
        description: clip(message.summary, 4096),
        color: DISCORD_COLORS[message.severity],
        fields: message.digest ? digestFields(message.digest) : message.factors.slice(0, 25).map((f) => ({ name: clip(f.name, 256), value: clip(f.note ? `${f.value} (${f.note})` : f.value, 1024) || '-', inline: true })),
        footer: { text: clip(footer, 2048) },
        timestamp: new Date(message.firedAt).toISOString(),
      },
    ],
  };
}

const seconds = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v * 1000 : undefined);

export async function sendDiscord(channel: { url: string }, message: AlertMessage, ctx: ChannelContext): Promise<DeliveryResult> {
  const url = ctx.secrets.open(channel.url);
  try {
    const target = new URL(url);
    target.searchParams.set('wait', 'true');
    const response = await safePost(target.toString(), {
      body: JSON.stringify(discordPayload(message)),
      headers: { 'content-type': 'application/json', 'user-agent': ctx.userAgent },
      timeoutMs: ctx.timeoutMs,
      maxResponseBytes: ctx.maxResponseBytes,
      allowPrivate: ctx.allowPrivate,
      ...(ctx.resolver ? { resolver: ctx.resolver } : {}),
    });
    const { ok, permanent } = classifyStatus(response.statusCode);
    if (ok) return { ok, statusCode: response.statusCode };
    let retryAfterMs: number | undefined;
    let detail = '';
    try {
      const body = JSON.parse(response.body) as { retry_after?: unknown; message?: unknown; global?: unknown };
      retryAfterMs = seconds(body.retry_after);
      if (typeof body.message === 'string') detail = `: ${clip(body.message, 200)}`;
    } catch {
      // not JSON (a proxy's error page): the headers may still say when
    }
    if (response.statusCode === 429) {
      retryAfterMs ??= seconds(Number(response.headers['x-ratelimit-reset-after'])) ?? retryAfterHeaderMs(response.headers['retry-after'], ctx.now());
    }
    return { ok: false, permanent, statusCode: response.statusCode, ...(retryAfterMs === undefined ? {} : { retryAfterMs }), error: `HTTP ${response.statusCode}${detail}` };
  } catch (error) {
    // The URL carries the token: never let it reach the stored error text.
    return { ok: false, statusCode: null, permanent: error instanceof TargetRefusedError, error: describeError(error).replaceAll(url, '<discord webhook>') };
  }
}
