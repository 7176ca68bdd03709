import { describe, expect, it } from 'vitest';
import { createDigestScheduler } from '../../src/alerts/digest-scheduler.js';
import { buildDigestCard, digestKey, digestSource, digestText, latestSlot, nextSlot, slotLabel, validateSchedule, type DigestRead, type DigestSchedule } from '../../src/alerts/digest.js';
import { discordPayload } from '../../src/alerts/discord.js';
import type { AlertRule } from '../../src/alerts/rule-store.js';
import { telegramText } from '../../src/alerts/telegram.js';
import type { AlertMessage } from '../../src/alerts/types.js';
import { webhookBody } from '../../src/alerts/webhook.js';
import type { AnalysisKind, AnalysisRecord } from '../../src/domain/analysis.js';
import { createLogger } from '../../src/logger.js';
import { markdownV2Error } from '../support/fake-alert-receivers.js';

const NOW = Date.UTC(2026, 11, 7, 14, 10, 0);
const ok = (input: Parameters<typeof validateSchedule>[0], minPeriodMs = 60_000) => validateSchedule(input, { now: NOW, minPeriodMs });

describe('digest schedules (croner)', () => {
  it('accepts a 5-field cron, defaults the time zone to UTC, drops repeated sections', () => {
    expect(ok({ cron: ' 0  */4 * * * ', sections: ['CONFIRMATION', 'SENTIMENT', 'CONFIRMATION'] })).toEqual({ ok: true, schedule: { cron: '0 */4 * * *', timezone: 'UTC', sections: ['CONFIRMATION', 'SENTIMENT'] } });
  });

  it('refuses an invalid expression with croner’s parse error, an unknown time zone, no sections', () => {
    expect(ok({ cron: '61 * * * *', sections: ['FUNDING'] })).toEqual({ ok: false, problems: ['schedule.cron: CronPattern: Invalid value for minute: 61'] });
    const words = ok({ cron: 'every four hours', sections: ['FUNDING'] });
    expect(words.ok).toBe(false);
    expect((words as { problems: string[] }).problems[0]).toMatch(/^schedule\.cron: CronPattern: /);
    expect(ok({ cron: '0 * * * *', timezone: 'Mars/Olympus', sections: ['FUNDING'] })).toEqual({
      ok: false,
      problems: ['schedule.timezone: "Mars/Olympus" is not an IANA time zone (e.g. UTC, Europe/Istanbul, America/New_York)'],
    });
    expect(ok({ cron: '0 * * * *', sections: [] })).toEqual({ ok: false, problems: ['schedule.sections: choose at least one section'] });
  });

  it('refuses a schedule firing more often than the minimum period (every second is allowed at 1 s)', () => {
    expect(ok({ cron: '* * * * * *', sections: ['FUNDING'] })).toEqual({ ok: false, problems: ['schedule.cron: "* * * * * *" runs every 1 s; the shortest period allowed is 60 s'] });
    expect(ok({ cron: '* * * * * *', sections: ['FUNDING'] }, 1_000).ok).toBe(true);
    expect(ok({ cron: '* * * * *', sections: ['FUNDING'] }).ok, 'every minute is the default minimum').toBe(true);
  });

  it('computes slots in the schedule’s time zone (Istanbul is UTC+3: 16:00 local is 13:00 UTC)', () => {
    const s = { cron: '0 */4 * * *', timezone: 'Europe/Istanbul' };
    expect(new Date(nextSlot(s, NOW)!).toISOString()).toBe('2026-12-07T17:00:00.000Z');
    expect(new Date(latestSlot(s, NOW)!).toISOString()).toBe('2026-12-07T13:00:00.000Z');
    expect(slotLabel(Date.UTC(2026, 11, 7, 13), 'Europe/Istanbul')).toBe('2026-12-07 16:00 Europe/Istanbul');
    const utc = { cron: '0 */4 * * *', timezone: 'UTC' };
    expect(latestSlot(utc, Date.UTC(2026, 11, 7, 16)), 'a slot exactly now is the latest').toBe(Date.UTC(2026, 11, 7, 16));
    expect(nextSlot(utc, Date.UTC(2026, 11, 7, 16)), 'the next one is strictly after').toBe(Date.UTC(2026, 11, 7, 20));
  });
});

const record = (kind: AnalysisKind, symbol: string, result: unknown, over: Partial<AnalysisRecord> = {}): AnalysisRecord => ({
  kind,
  symbol,
  result,
  asOf: NOW - 5_000,
  computedAt: NOW - 4_000,
  methodologyVersion: 'x/1',
  source: 'SIMULATED',
  venue: 'simulated',
  ...over,
});

const confirmation = { symbol: 'BTCUSDT', score: 71.25, signal: 'BULLISH', quality: 'GOOD', strength: 'MEDIUM', coverage: 0.8333, factors: [], layers: [] };
const scenarios = {
  scenarios: [{ name: 'Long breakout', kind: 'BREAKOUT', bias: 'LONG', confidence: 0.624, entry: { priceMin: 64_100, priceMax: 64_300.5, type: 'BREAKOUT' }, stopLoss: { price: 63_500, reason: '' }, targets: [{ level: 1, price: 65_000 }, { level: 2, price: 66_200 }] }],
  notes: [],
};
const correlation = { warmingUp: false, notes: [], regime: { regime: 'RISK_ON', score: 0.42, benchmark: 'BTCUSDT', averageCorrelationToBtc: 0.81, btcDominance: 57.3, missingInputs: [] } };

function reads(map: Record<string, DigestRead>) {
  return (kind: AnalysisKind, key: string): DigestRead => map[`${kind}|${key}`] ?? { missing: `${kind} for ${key} is not available yet: the market source has not delivered enough data` };
}

const schedule: DigestSchedule = { cron: '0 */4 * * *', timezone: 'UTC', sections: ['CONFIRMATION', 'SENTIMENT', 'CROSS_ASSET', 'SCENARIOS'] };
const SLOT = Date.UTC(2026, 11, 7, 12);

function card() {
  return buildDigestCard({
    schedule,
    symbols: ['BTCUSDT', 'ETHUSDT'],
    slot: SLOT,
    late: false,
    now: NOW,
    staleAfterMs: 60_000,
    read: reads({
      'CONFIRMATION|BTCUSDT': { record: record('CONFIRMATION', 'BTCUSDT', confirmation) },
      'CORRELATION|ALL': { record: record('CORRELATION', 'ALL', correlation) },
      'SCENARIOS|BTCUSDT': { record: record('SCENARIOS', 'BTCUSDT', scenarios) },
      // A result that exists but has no composite: unavailable with its own reason.
      'SENTIMENT|BTCUSDT': { record: record('SENTIMENT', 'BTCUSDT', { composite: null, classification: null, coverage: 0.3, coverageNote: 'coverage 0.30 is below the minimum 0.60' }) },
      // A stale one: shown with its age, not as current.
      'CONFIRMATION|ETHUSDT': { record: record('CONFIRMATION', 'ETHUSDT', { ...confirmation, symbol: 'ETHUSDT', score: 40 }, { asOf: NOW - 120_000 }) },
    }),
  });
}

describe('digest card', () => {
  it('reads each section, lists a missing one as unavailable with its reason and no values, flags stale records', () => {
    const c = card();
    expect(c.market).toHaveLength(1);
    expect(c.market[0]).toMatchObject({ section: 'CROSS_ASSET', available: true, text: 'RISK_ON (score 0.42) · avg corr to BTCUSDT 0.81 · BTC dominance 57.3%', values: { regime: 'RISK_ON', score: 0.42, averageCorrelationToBtc: 0.81, btcDominance: 57.3 } });
    const [btc, eth] = c.symbols;
    expect(btc!.items.map((i) => i.section), 'per-symbol sections in the chosen order').toEqual(['CONFIRMATION', 'SENTIMENT', 'SCENARIOS']);
    expect(btc!.items[0]).toMatchObject({ available: true, text: '71.3 BULLISH · quality GOOD · strength MEDIUM · coverage 83%', values: { score: 71.25, signal: 'BULLISH', quality: 'GOOD', coverage: 0.8333 }, stale: false, source: 'SIMULATED' });
    expect(btc!.items[1]).toMatchObject({ available: false, reason: 'coverage 0.30 is below the minimum 0.60', text: 'unavailable: coverage 0.30 is below the minimum 0.60', values: {} });
    expect(btc!.items[2]).toMatchObject({ available: true, text: 'LONG BREAKOUT · entry 64,100–64,300.5 · stop 63,500 · targets 65,000 / 66,200 · confidence 62%', values: { bias: 'LONG', entryMin: 64_100, entryMax: 64_300.5, stop: 63_500, targets: [65_000, 66_200] } });
    expect(eth!.items[0]!.stale, '120 s old with a 60 s limit').toBe(true);
    expect(eth!.items[0]!.text).toBe(`40.0 BULLISH · quality GOOD · strength MEDIUM · coverage 83% (stale, as of ${new Date(NOW - 120_000).toISOString()})`);
    expect(eth!.items[1]).toMatchObject({ available: false, reason: 'SENTIMENT for ETHUSDT is not available yet: the market source has not delivered enough data', values: {}, source: null, asOf: null });
    expect(digestSource(c, 'LIVE'), 'any simulated record makes the card simulated').toEqual({ source: 'SIMULATED', venue: 'simulated', asOf: NOW - 5_000 });
    const empty = buildDigestCard({ schedule, symbols: ['BTCUSDT'], slot: SLOT, late: true, now: NOW, staleAfterMs: 60_000, read: reads({}) });
    expect(digestSource(empty, 'SIMULATED'), 'nothing read: the instance source').toEqual({ source: 'SIMULATED', venue: 'none', asOf: SLOT });
    expect(digestText(empty, 'desk').summary).toContain('Sent late: this slot passed while no instance was running');
    expect(digestText(empty, 'desk').summary).toContain('4 of 4 readings unavailable (reason given).');
  });

  const message = (over: Partial<AlertMessage> = {}): AlertMessage => {
    const c = card();
    return { idempotencyKey: digestKey('r1', SLOT), eventId: 'e1', ruleId: 'r1', ruleName: 'desk card', event: 'DIGEST', symbol: null, severity: 'INFO', ...digestText(c, 'desk card'), meta: digestSource(c, 'LIVE'), firedAt: NOW, test: false, digest: c, ...over };
  };

  it('webhook: JSON sections per symbol, SIMULATED on the first line of text, missing readings without values', () => {
    const body = JSON.parse(webhookBody(message())) as Record<string, any>;
    expect(body.type).toBe('digest.sent');
    expect(body.idempotencyKey).toBe(`r1:DIGEST:${SLOT}`);
    expect(body.text.split('\n')[0]).toBe('SIMULATED data, not a live market');
    expect(body.text.split('\n')[1]).toBe('desk card: BTCUSDT, ETHUSDT · 2026-12-07 12:00 UTC');
    expect(body.digest.slot).toBe('2026-12-07T12:00:00.000Z');
    expect(body.digest.market[0].values.regime).toBe('RISK_ON');
    expect(body.digest.symbols.map((s: any) => s.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(body.digest.symbols[0].sections[1]).toEqual({
      section: 'SENTIMENT',
      label: 'Sentiment',
      available: false,
      text: 'unavailable: coverage 0.30 is below the minimum 0.60',
      reason: 'coverage 0.30 is below the minimum 0.60',
      values: {},
      source: 'SIMULATED',
      venue: 'simulated',
      asOf: new Date(NOW - 5_000).toISOString(),
      stale: false,
    });
  });

  it('Discord: a field per symbol and section (market first), the banner as content', () => {
    const p = discordPayload(message()) as { content: string; embeds: Array<{ title: string; fields: Array<{ name: string; value: string }> }> };
    expect(p.content).toBe('**SIMULATED data, not a live market**');
    expect(p.embeds[0]!.fields.map((f) => f.name)).toEqual([
      'Market · Cross-asset regime',
      'BTCUSDT · Confirmation',
      'BTCUSDT · Sentiment',
      'BTCUSDT · Scenario',
      'ETHUSDT · Confirmation',
      'ETHUSDT · Sentiment',
      'ETHUSDT · Scenario',
    ]);
    expect(p.embeds[0]!.fields[2]!.value).toBe('unavailable: coverage 0.30 is below the minimum 0.60');
    // 10 symbols × 6 sections do not fit 25 fields: one field per symbol, its sections as lines.
    const wide = buildDigestCard({ schedule: { ...schedule, sections: ['CONFIRMATION', 'SENTIMENT', 'SCENARIOS', 'EMERGENCY', 'FUNDING', 'CROSS_ASSET'] }, symbols: Array.from({ length: 10 }, (_, i) => `S${i}USDT`), slot: SLOT, late: false, now: NOW, staleAfterMs: 60_000, read: reads({}) });
    const fields = (discordPayload(message({ digest: wide })) as typeof p).embeds[0]!.fields;
    expect(fields).toHaveLength(11);
    expect(fields[1]!.name).toBe('S0USDT');
    expect(fields[1]!.value.split('\n')).toHaveLength(5);
    const total = JSON.stringify((discordPayload(message({ digest: wide })) as typeof p).embeds[0]).length;
    expect(total, 'well inside the 6000-character embed limit').toBeLessThan(6000);
  });

  it('Telegram: MarkdownV2 the API accepts, banner first, a heading per symbol', () => {
    const text = telegramText(message());
    expect(markdownV2Error(text)).toBeNull();
    const lines = text.split('\n');
    expect(lines[0]).toBe('*SIMULATED data, not a live market*');
    expect(lines).toContain('*BTCUSDT*');
    expect(lines).toContain('• Scenario: LONG BREAKOUT · entry 64,100–64,300\\.5 · stop 63,500 · targets 65,000 / 66,200 · confidence 62%');
    expect(lines).toContain('• Sentiment: unavailable: coverage 0\\.30 is below the minimum 0\\.60');
    const test = telegramText(message({ test: true }));
    expect(test.split('\n')[0]).toBe('*TEST MESSAGE \\(not a market event\\) · SIMULATED data, not a live market*');
  });
});

describe('digest scheduler: missed slots', () => {
  const rule = (over: Partial<AlertRule> = {}): AlertRule => ({
    id: 'r-missed',
    name: 'desk',
    event: 'DIGEST',
    symbols: ['BTCUSDT'],
    conditions: {},
    cooldownMs: 0,
    schedule: { cron: '0 * * * *', timezone: 'UTC', sections: ['FUNDING'] },
    channels: [],
    enabled: true,
    createdAt: Date.UTC(2026, 11, 7, 9, 30),
    updatedAt: Date.UTC(2026, 11, 7, 9, 30),
    ...over,
  });

  function harness(now: number) {
    const keys = new Set<string>();
    const enqueued: AlertMessage[] = [];
    const published: AlertMessage[] = [];
    const scheduler = createDigestScheduler({
      // The outbox's unique idempotency key, as the database enforces it.
      alerting: { outbox: { enqueue: async ({ message }: { message: AlertMessage }) => (keys.has(message.idempotencyKey) ? { inserted: false, buffered: false } : (keys.add(message.idempotencyKey), enqueued.push(message), { inserted: true, buffered: false })), wake: () => {} } as never },
      pubsub: { publish: (_t: string, _k: string, m: AlertMessage) => published.push(m) } as never,
      logger: createLogger('silent'),
      now: () => now,
      read: async () => ({ missing: 'FUNDING for BTCUSDT is not available yet: the market source has not delivered enough data' }),
      symbols: () => ['BTCUSDT'],
      origin: () => 'LIVE',
      staleAfterMs: 60_000,
    });
    return { scheduler, enqueued, published };
  }

  it('sends only the latest slot missed while down, marked late; a second instance adds nothing', async () => {
    // Down from 10:30 to 13:20: the 11:00, 12:00 and 13:00 slots passed; only 13:00 is sent.
    const now = Date.UTC(2026, 11, 7, 13, 20);
    const a = harness(now);
    a.scheduler.update([rule()]);
    await new Promise((r) => setTimeout(r, 10));
    expect(a.enqueued.map((m) => m.idempotencyKey)).toEqual([digestKey('r-missed', Date.UTC(2026, 11, 7, 13))]);
    expect(a.enqueued[0]!.digest!.late).toBe(true);
    expect(a.enqueued[0]!.digest!.symbols[0]!.items[0]).toMatchObject({ available: false, reason: 'FUNDING for BTCUSDT is not available yet: the market source has not delivered enough data' });
    expect(a.enqueued[0]!.meta.source).toBe('LIVE');
    expect(a.published).toHaveLength(1);
    // The same rule seen again (next reload, unchanged): nothing more.
    a.scheduler.update([rule()]);
    await new Promise((r) => setTimeout(r, 10));
    expect(a.enqueued).toHaveLength(1);
    a.scheduler.stop();
  });

  it('sends nothing for a slot before the rule was saved', async () => {
    const b = harness(Date.UTC(2026, 11, 7, 13, 20));
    b.scheduler.update([rule({ updatedAt: Date.UTC(2026, 11, 7, 13, 5) })]);
    await new Promise((r) => setTimeout(r, 10));
    expect(b.enqueued).toEqual([]);
    expect(b.scheduler.stats().rules).toBe(1);
    b.scheduler.stop();
  });
});
