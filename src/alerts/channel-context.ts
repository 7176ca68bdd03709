import type { Resolver } from './safe-http.js';
import type { SecretBox } from './secrets.js';

/** What every channel file needs to send; built once in app.ts from the ALERTS_* settings. */
export interface ChannelContext {
  secrets: SecretBox;
  timeoutMs: number;
  maxResponseBytes: number;
  allowPrivate: boolean;
  /** DNS resolution of target hosts (tests inject one that maps names to chosen addresses). */
  resolver?: Resolver;
  /** Base of Discord webhook URLs (ALERTS_DISCORD_API_URL, default https://discord.com). */
  discordApiUrl: string;
  /** Base of the Telegram Bot API (ALERTS_TELEGRAM_API_URL, default https://api.telegram.org). */
  telegramApiUrl: string;
  now(): number;
  userAgent: string;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const cause = (error as { cause?: unknown }).cause;
    const causeText = cause instanceof Error ? `: ${cause.message}` : '';
    return `${typeof code === 'string' ? `${code} ` : ''}${error.message}${causeText}`.slice(0, 500);
  }
  return String(error).slice(0, 500);
}

/** Cuts `text` to `max` characters, ending with an ellipsis when it was longer. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
