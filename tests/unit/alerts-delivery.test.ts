import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { addressRange, classifyStatus, isPublicAddress, resolveTarget, retryAfterHeaderMs, TargetRefusedError, validateTargetUrl } from '../../src/alerts/safe-http.js';
import { createSecretBox, parseSecretKey } from '../../src/alerts/secrets.js';
import { escapeMarkdownV2, telegramText } from '../../src/alerts/telegram.js';
import { signWebhook, verifyWebhookSignature, webhookBody } from '../../src/alerts/webhook.js';
import { discordPayload, validateDiscordUrl, DISCORD_COLORS } from '../../src/alerts/discord.js';
import { backoffMs } from '../../src/alerts/outbox.js';
import { describeChannel, sealChannel } from '../../src/alerts/channels.js';
import { markdownV2Error } from '../support/fake-alert-receivers.js';
import type { AlertMessage } from '../../src/alerts/types.js';

const message = (over: Partial<AlertMessage> = {}): AlertMessage => ({
  idempotencyKey: 'rule-1:LIQUIDATION_CASCADES:BTCUSDT:1700000000000',
  eventId: 'ev-1',
  ruleId: 'rule-1',
  ruleName: 'BTC cascades',
  event: 'CASCADE_DETECTED',
  symbol: 'BTCUSDT',
  severity: 'CRITICAL',
  title: 'BTCUSDT liquidation cascade: severity 4 (HEAVY)',
  summary: 'Liquidations 3.2x the 1-h mean (z = 4.1).',
  factors: [{ name: 'liquidations 5m', value: '12.5M USD', note: 'long side 81%' }],
  meta: { source: 'LIVE', venue: 'binance-usdm', asOf: 1_700_000_000_000 },
  firedAt: 1_700_000_001_000,
  test: false,
  ...over,
});

describe('webhook signature', () => {
  it('is v1= hex HMAC-SHA256 over "timestamp.body" (reference from openssl dgst -sha256 -hmac)', () => {
    expect(signWebhook('whsec_test', '1700000000', '{"a":1}'), 'printf "1700000000.{\\"a\\":1}" | openssl dgst -sha256 -hmac whsec_test').toBe(
      'v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789',
    );
  });

  it('verifies within the tolerance and refuses a stale timestamp, another body or another secret', () => {
    const sig = signWebhook('s3cret', '1000', 'body');
    expect(verifyWebhookSignature({ secret: 's3cret', timestamp: '1000', body: 'body', signature: sig, nowSec: 1200 })).toBe(true);
    expect(verifyWebhookSignature({ secret: 's3cret', timestamp: '1000', body: 'body', signature: sig, nowSec: 1301 }), '301 s > 300 s tolerance').toBe(false);
    expect(verifyWebhookSignature({ secret: 's3cret', timestamp: '1000', body: 'body!', signature: sig, nowSec: 1000 })).toBe(false);
    expect(verifyWebhookSignature({ secret: 'other', timestamp: '1000', body: 'body', signature: sig, nowSec: 1000 })).toBe(false);
    expect(verifyWebhookSignature({ secret: 's3cret', timestamp: undefined, body: 'body', signature: sig, nowSec: 1000 })).toBe(false);
  });

  it('body carries factors and meta.source; a SIMULATED alert says so in the first line of text', () => {
    const live = JSON.parse(webhookBody(message())) as { text: string; factors: unknown[]; meta: { source: string; asOf: string } };
    expect(live.text.split('\n')[0]).toBe('BTCUSDT liquidation cascade: severity 4 (HEAVY)');
    expect(live.meta).toEqual({ source: 'LIVE', venue: 'binance-usdm', asOf: '2023-11-14T22:13:20.000Z' });
    expect(live.factors).toEqual([{ name: 'liquidations 5m', value: '12.5M USD', note: 'long side 81%' }]);
    const sim = JSON.parse(webhookBody(message({ meta: { source: 'SIMULATED', venue: 'simulated', asOf: 0 } }))) as { text: string };
    expect(sim.text.split('\n')[0]).toBe('SIMULATED data, not a live market');
  });
});

describe('Telegram MarkdownV2', () => {
  it('escapes every reserved character and the backslash', () => {
    expect(escapeMarkdownV2('_*[]()~`>#+-=|{}.!\\ a')).toBe('\\_\\*\\[\\]\\(\\)\\~\\`\\>\\#\\+\\-\\=\\|\\{\\}\\.\\!\\\\ a');
    expect(escapeMarkdownV2('BTC-USDT 1.5% (z=-3.2)!')).toBe('BTC\\-USDT 1\\.5% \\(z\\=\\-3\\.2\\)\\!');
  });

  it('the whole message parses under the fake API rules, which reject an unescaped "."', () => {
    const text = telegramText(message({ meta: { source: 'SIMULATED', venue: 'sim', asOf: 0 } }));
    expect(markdownV2Error(text), text).toBeNull();
    expect(text.split('\n')[0]).toBe('*SIMULATED data, not a live market*');
    expect(text).toContain('• liquidations 5m: 12\\.5M USD \\(long side 81%\\)');
    expect(markdownV2Error('price 1.5')).toBe("Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'");
  });
});

describe('Discord embed', () => {
  it('colour by severity, factors as fields, footer with meta.source, SIMULATED in the first line (content)', () => {
    const payload = discordPayload(message({ severity: 'WARNING', meta: { source: 'SIMULATED', venue: 'sim', asOf: 0 } })) as {
      content: string;
      embeds: Array<{ color: number; fields: unknown[]; footer: { text: string }; title: string }>;
    };
    expect(payload.content).toBe('**SIMULATED data, not a live market**');
    expect(payload.embeds[0]!.color, '0xf1c40f').toBe(15_844_367);
    expect(DISCORD_COLORS.CRITICAL).toBe(15_158_332);
    expect(payload.embeds[0]!.fields).toEqual([{ name: 'liquidations 5m', value: '12.5M USD (long side 81%)', inline: true }]);
    expect(payload.embeds[0]!.footer.text).toBe('source SIMULATED · sim · as of 1970-01-01T00:00:00.000Z');
    expect(payload.embeds[0]!.title.startsWith('[SIMULATED] ')).toBe(true);
  });

  it('accepts only webhook URLs under the configured base', () => {
    expect(() => validateDiscordUrl('https://discord.com/api/webhooks/123/abc_DEF-1', 'https://discord.com')).not.toThrow();
    expect(() => validateDiscordUrl('https://evil.example/api/webhooks/123/abc', 'https://discord.com')).toThrow(/discord.com\/api\/webhooks/);
    expect(() => validateDiscordUrl('http://127.0.0.1:9/api/webhooks/1/t', 'http://127.0.0.1:9')).not.toThrow();
  });
});

describe('SSRF guard', () => {
  it('classifies addresses with ipaddr.js ranges; only public unicast passes', () => {
    const cases: Array<[string, string]> = [
      ['127.0.0.1', 'loopback'],
      ['10.0.0.8', 'private'],
      ['192.168.1.1', 'private'],
      ['169.254.169.254', 'linkLocal'],
      ['100.64.0.1', 'carrierGradeNat'],
      ['224.0.0.1', 'multicast'],
      ['0.0.0.0', 'unspecified'],
      ['::1', 'loopback'],
      ['::', 'unspecified'],
      ['fe80::1', 'linkLocal'],
      ['fd12::1', 'uniqueLocal'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:169.254.169.254', 'linkLocal'],
    ];
    for (const [address, range] of cases) {
      expect(addressRange(address), address).toBe(range);
      expect(isPublicAddress(address), address).toBe(false);
    }
    expect(isPublicAddress('8.8.8.8')).toBe(true);
    expect(isPublicAddress('2606:4700:4700::1111')).toBe(true);
  });

  it('refuses IP literals, private DNS answers and URLs with credentials or other schemes', async () => {
    const publicResolver = async () => [{ address: '93.184.216.34', family: 4 }];
    await expect(resolveTarget(new URL('http://127.0.0.1:8080/x'))).rejects.toThrow(/127\.0\.0\.1 \(loopback\)/);
    await expect(resolveTarget(new URL('http://169.254.169.254/latest/meta-data'))).rejects.toThrow(/linkLocal/);
    await expect(resolveTarget(new URL('http://[::1]:80/'))).rejects.toThrow(/::1 \(loopback\)/);
    const rebinding = async () => [{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.5', family: 4 }];
    await expect(resolveTarget(new URL('https://hooks.example.com/'), { resolver: rebinding }), 'any private answer refuses').rejects.toThrow(/10\.0\.0\.5 \(private\)/);
    await expect(resolveTarget(new URL('https://hooks.example.com/'), { resolver: publicResolver })).resolves.toEqual({ address: '93.184.216.34', family: 4 });
    await expect(resolveTarget(new URL('http://127.0.0.1/'), { allowPrivate: true })).resolves.toEqual({ address: '127.0.0.1', family: 4 });
    expect(() => validateTargetUrl('ftp://example.com/')).toThrow(TargetRefusedError);
    expect(() => validateTargetUrl('https://user:pw@example.com/')).toThrow(/credentials/);
    expect(() => validateTargetUrl('file:///etc/passwd')).toThrow(/scheme/);
  });

  it('statuses: 2xx ok, 408/429/5xx retried, 3xx and other 4xx permanent; Retry-After in seconds or as a date', () => {
    expect(classifyStatus(204)).toEqual({ ok: true, permanent: false });
    expect(classifyStatus(429)).toEqual({ ok: false, permanent: false });
    expect(classifyStatus(503)).toEqual({ ok: false, permanent: false });
    expect(classifyStatus(302)).toEqual({ ok: false, permanent: true });
    expect(classifyStatus(400)).toEqual({ ok: false, permanent: true });
    expect(retryAfterHeaderMs('2.5')).toBe(2_500);
    expect(retryAfterHeaderMs('Thu, 01 Jan 1970 00:00:10 GMT', 4_000)).toBe(6_000);
    expect(retryAfterHeaderMs(undefined)).toBeUndefined();
  });
});

describe('secrets and backoff', () => {
  it('AES-256-GCM round-trips, a random IV per value, and a wrong key or a flipped byte fails', () => {
    const box = createSecretBox(randomBytes(32));
    const a = box.seal('123456:ABCDEF');
    expect(a).not.toBe(box.seal('123456:ABCDEF'));
    expect(a).not.toContain('ABCDEF');
    expect(box.open(a)).toBe('123456:ABCDEF');
    expect(() => createSecretBox(randomBytes(32)).open(a)).toThrow(/ALERTS_SECRET_KEY/);
    const raw = Buffer.from(a.slice(3), 'base64');
    raw.writeUInt8(raw.readUInt8(raw.length - 1) ^ 1, raw.length - 1);
    expect(() => box.open(`v1:${raw.toString('base64')}`)).toThrow();
    expect(parseSecretKey('00'.repeat(32)).length).toBe(32);
    expect(() => parseSecretKey('short')).toThrow(/32 bytes/);
  });

  it('full jitter: random · min(max, base · 2^(attempt-1))', () => {
    expect(backoffMs(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffMs(4, 1000, 60_000, () => 1)).toBe(8000);
    expect(backoffMs(10, 1000, 60_000, () => 1), 'capped').toBe(60_000);
    expect(backoffMs(4, 1000, 60_000, () => 0.25)).toBe(2000);
    expect(backoffMs(3, 1000, 60_000, () => 0)).toBe(0);
  });

  it('channels: secrets sealed, the API shows only what is not secret', () => {
    const box = createSecretBox(randomBytes(32));
    const ctx = { secrets: box, discordApiUrl: 'https://discord.com' };
    const web = sealChannel({ type: 'WEBHOOK', url: 'https://hooks.example.com/in/abc?token=zzz' }, 0, ctx);
    expect(web.signingSecret).toMatch(/^whsec_/);
    expect(JSON.stringify(web.stored)).not.toContain(web.signingSecret!);
    expect(describeChannel(web.stored)).toEqual({ type: 'WEBHOOK', target: 'https://hooks.example.com/…' });
    const discord = sealChannel({ type: 'DISCORD', url: 'https://discord.com/api/webhooks/42/tok_en' }, 1, ctx);
    expect(JSON.stringify(discord.stored)).not.toContain('tok_en');
    expect(describeChannel(discord.stored).target).not.toContain('42');
    const tg = sealChannel({ type: 'TELEGRAM', botToken: '123456789:AAHk-abcdefghijklmnopqrstuvwx', chatId: '-1001234' }, 2, ctx);
    expect(JSON.stringify(tg.stored)).not.toContain('AAHk');
    expect(() => sealChannel({ type: 'TELEGRAM', botToken: 'nope', chatId: '1' }, 3, ctx)).toThrow(/channels\.3\.botToken/);
    expect(() => sealChannel({ type: 'WEBHOOK', url: 'gopher://x' }, 4, ctx)).toThrow(/channels\.4\.url/);
  });
});
