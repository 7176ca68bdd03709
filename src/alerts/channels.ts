import type { ChannelContext } from './channel-context.js';
import { sendDiscord, validateDiscordUrl } from './discord.js';
import { TargetRefusedError } from './safe-http.js';
import { sendTelegram, TELEGRAM_CHAT_ID, TELEGRAM_TOKEN } from './telegram.js';
import type { AlertMessage, ChannelType, DeliveryResult, StoredChannel } from './types.js';
import { generateWebhookSecret, sendWebhook, validateWebhookUrl } from './webhook.js';

/** A channel as a client gives it (secrets in clear, once). */
export interface ChannelInput {
  type: ChannelType;
  /** WEBHOOK: the receiver's URL. DISCORD: the webhook URL (a secret). */
  url?: string | null;
  /** TELEGRAM: the bot token (a secret). */
  botToken?: string | null;
  /** TELEGRAM: the chat id (`-100…`, a number, or `@channelname`). */
  chatId?: string | null;
}

export class ChannelInputError extends Error {}

/**
 * Checks a channel and seals its secrets. A WEBHOOK channel gets a fresh signing secret, returned in
 * `signingSecret` for the one response that shows it.
 */
export function sealChannel(input: ChannelInput, index: number, ctx: Pick<ChannelContext, 'secrets' | 'discordApiUrl'>): { stored: StoredChannel; signingSecret: string | null } {
  const at = `channels.${index}`;
  const need = (v: string | null | undefined, name: string) => {
    if (v === undefined || v === null || v.trim() === '') throw new ChannelInputError(`${at}.${name} is required for a ${input.type} channel`);
    return v.trim();
  };
  const guard = (fn: () => void, name: string) => {
    try {
      fn();
    } catch (error) {
      throw new ChannelInputError(`${at}.${name}: ${error instanceof TargetRefusedError || error instanceof Error ? error.message : String(error)}`);
    }
  };
  switch (input.type) {
    case 'WEBHOOK': {
      const url = need(input.url, 'url');
      guard(() => validateWebhookUrl(url), 'url');
      const secret = generateWebhookSecret();
      return { stored: { type: 'WEBHOOK', url, secret: ctx.secrets.seal(secret) }, signingSecret: secret };
    }
    case 'DISCORD': {
      const url = need(input.url, 'url');
      guard(() => validateDiscordUrl(url, ctx.discordApiUrl), 'url');
      return { stored: { type: 'DISCORD', url: ctx.secrets.seal(url) }, signingSecret: null };
    }
    case 'TELEGRAM': {
      const token = need(input.botToken, 'botToken');
      const chatId = need(input.chatId, 'chatId');
      if (!TELEGRAM_TOKEN.test(token)) throw new ChannelInputError(`${at}.botToken: a bot token looks like 123456789:AA… (from @BotFather)`);
      if (!TELEGRAM_CHAT_ID.test(chatId)) throw new ChannelInputError(`${at}.chatId: a chat id is a number (-100… for channels) or @channelname`);
      return { stored: { type: 'TELEGRAM', botToken: ctx.secrets.seal(token), chatId }, signingSecret: null };
    }
    default:
      throw new ChannelInputError(`${at}.type: unknown channel type ${JSON.stringify((input as { type: unknown }).type)}`);
  }
}

/** What the API shows of a stored channel: never a secret (a webhook's host only, Telegram's chat id). */
export function describeChannel(channel: StoredChannel): { type: ChannelType; target: string } {
  switch (channel.type) {
    case 'WEBHOOK': {
      const url = new URL(channel.url);
      return { type: channel.type, target: `${url.protocol}//${url.host}/…` };
    }
    case 'DISCORD':
      return { type: channel.type, target: 'Discord webhook (URL hidden)' };
    case 'TELEGRAM':
      return { type: channel.type, target: `Telegram chat ${channel.chatId}` };
  }
}

/** Sends one message on one channel; never throws (a failure is a DeliveryResult). */
export async function deliver(channel: StoredChannel, message: AlertMessage, ctx: ChannelContext): Promise<DeliveryResult> {
  try {
    switch (channel.type) {
      case 'WEBHOOK':
        return await sendWebhook(channel, message, ctx);
      case 'DISCORD':
        return await sendDiscord(channel, message, ctx);
      case 'TELEGRAM':
        return await sendTelegram(channel, message, ctx);
      default:
        return { ok: false, statusCode: null, permanent: true, error: `unknown channel type ${(channel as { type: string }).type}` };
    }
  } catch (error) {
    // A secret that cannot be opened (another ALERTS_SECRET_KEY) cannot get better by retrying.
    return { ok: false, statusCode: null, permanent: true, error: error instanceof Error ? error.message : String(error) };
  }
}
