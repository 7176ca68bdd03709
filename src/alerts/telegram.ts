import { clip, describeError, type ChannelContext } from './channel-context.js';
import { classifyStatus, safePost, TargetRefusedError } from './safe-http.js';
import { slotLabel } from './digest.js';
import { provenanceBanner, type AlertMessage, type DeliveryResult } from './types.js';

/**
 * Telegram Bot API `sendMessage` with parse_mode MarkdownV2.
 * @see https://core.telegram.org/bots/api#sendmessage
 * @see https://core.telegram.org/bots/api#markdownv2-style — outside entities every one of
 *   `_ * [ ] ( ) ~ \` > # + - = | { } . !` and `\` itself must be escaped with a preceding backslash.
 * @see https://core.telegram.org/bots/api#responseparameters — 429 answers carry `parameters.retry_after` (s).
 * The bot token is part of the URL path, so it is a secret: stored sealed; error texts have it removed.
 */

const RESERVED = /[_*[\]()~`>#+\-=|{}.!\\]/g;

export const escapeMarkdownV2 = (text: string) => text.replace(RESERVED, (c) => `\\${c}`);

export const TELEGRAM_TOKEN = /^\d{3,}:[A-Za-z0-9_-]{20,}$/;
export const TELEGRAM_CHAT_ID = /^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$/;

/** Telegram's limit is 4096 characters after entity parsing; raw pieces are clipped before escaping. */
export function telegramText(message: AlertMessage): string {
  const banner = provenanceBanner(message);
  const lines: string[] = [];
  if (banner) lines.push(`*${escapeMarkdownV2(banner)}*`);
  lines.push(`*${escapeMarkdownV2(clip(message.title, 200))}*`);
  if (message.summary) lines.push(escapeMarkdownV2(clip(message.summary, 1000)));
  if (message.digest) lines.push(...digestLines(message.digest));
  else for (const f of message.factors.slice(0, 25)) lines.push(`• ${escapeMarkdownV2(clip(f.name, 60))}: ${escapeMarkdownV2(clip(f.note ? `${f.value} (${f.note})` : f.value, 100))}`);
  lines.push(`_${escapeMarkdownV2(`source ${message.meta.source} · ${message.meta.venue} · as of ${new Date(message.meta.asOf).toISOString()}`)}_`);
  const text = lines.join('\n');
  if (text.length <= TELEGRAM_MAX) return text;
  // Cut at a line (an escape sequence or an entity is never split), keeping the footer.
  const footer = lines.at(-1)!;
  const kept: string[] = [];
  let size = footer.length + 40;
  for (const line of lines.slice(0, -1)) {
    if (size + line.length + 1 > TELEGRAM_MAX) break;
    kept.push(line);
    size += line.length + 1;
  }
  return [...kept, escapeMarkdownV2('… (cut to fit Telegram)'), footer].join('\n');
}

/** Telegram's message limit (characters after entity parsing; the escaped text is longer, so this is safe). */
const TELEGRAM_MAX = 4096;

/** A digest as lines: a bold heading per symbol (and for the market) and a bullet per section. */
function digestLines(card: NonNullable<AlertMessage['digest']>): string[] {
  const lines: string[] = [];
  const bullet = (label: string, text: string) => `• ${escapeMarkdownV2(label)}: ${escapeMarkdownV2(clip(text, 300))}`;
  if (card.market.length > 0) {
    lines.push(`*${escapeMarkdownV2('Market')}*`);
    for (const item of card.market) lines.push(bullet(item.label, item.text));
  }
  for (const s of card.symbols) {
    lines.push(`*${escapeMarkdownV2(s.symbol)}*`);
    for (const item of s.items) lines.push(bullet(item.label, item.text));
  }
  lines.push(`_${escapeMarkdownV2(`slot ${slotLabel(card.slot, card.timezone)}${card.late ? ' (sent late, after a missed slot)' : ''}`)}_`);
  return lines;
}

export async function sendTelegram(channel: { botToken: string; chatId: string }, message: AlertMessage, ctx: ChannelContext): Promise<DeliveryResult> {
  const token = ctx.secrets.open(channel.botToken);
  const scrub = (text: string) => text.replaceAll(token, '<bot token>');
  try {
    const response = await safePost(`${ctx.telegramApiUrl.replace(/\/$/, '')}/bot${token}/sendMessage`, {
      body: JSON.stringify({ chat_id: channel.chatId, text: telegramText(message), parse_mode: 'MarkdownV2', link_preview_options: { is_disabled: true } }),
      headers: { 'content-type': 'application/json', 'user-agent': ctx.userAgent },
      timeoutMs: ctx.timeoutMs,
      maxResponseBytes: ctx.maxResponseBytes,
      allowPrivate: ctx.allowPrivate,
      ...(ctx.resolver ? { resolver: ctx.resolver } : {}),
    });
    const { ok, permanent } = classifyStatus(response.statusCode);
    let body: { ok?: unknown; description?: unknown; parameters?: { retry_after?: unknown } } = {};
    try {
      body = JSON.parse(response.body) as typeof body;
    } catch {
      // not JSON: judged by the status alone
    }
    if (ok && body.ok !== false) return { ok: true, statusCode: response.statusCode };
    const retry = body.parameters?.retry_after;
    const retryAfterMs = typeof retry === 'number' && retry >= 0 ? retry * 1000 : undefined;
    const description = typeof body.description === 'string' ? `: ${scrub(clip(body.description, 300))}` : '';
    return { ok: false, permanent: ok ? true : permanent, statusCode: response.statusCode, ...(retryAfterMs === undefined ? {} : { retryAfterMs }), error: `HTTP ${response.statusCode}${description}` };
  } catch (error) {
    return { ok: false, statusCode: null, permanent: error instanceof TargetRefusedError, error: scrub(describeError(error)) };
  }
}
