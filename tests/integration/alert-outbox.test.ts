import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelContext } from '../../src/alerts/channel-context.js';
import { sealChannel } from '../../src/alerts/channels.js';
import { createOutbox, type Outbox, type OutboxOptions } from '../../src/alerts/outbox.js';
import { createSecretBox } from '../../src/alerts/secrets.js';
import type { AlertMessage, StoredChannel } from '../../src/alerts/types.js';
import { createDatabase, type Database, type SqlExecutor } from '../../src/db/database.js';
import { createLogger } from '../../src/logger.js';
import { isolatedDatabase } from '../support/harness.js';
import { startFakeDiscord, startFakeTelegram, startWebhookReceiver, type FakeReceiver } from '../support/fake-alert-receivers.js';

/**
 * The outbox against the real databases (PGlite always, Postgres when DATABASE_URL is set) and real HTTP
 * to the fake receivers: signed webhooks verified, Discord 429 retry_after honoured, a receiver that is
 * down and comes back gets each alert once, dead letters, SSRF refusals and unfollowed redirects, two
 * dispatchers on one Postgres delivering once, a database blip losing nothing, secrets kept out of logs.
 */

const TG_TOKEN = '987654321:AAFake-Telegram_token_for_tests_0123';
const box = createSecretBox(randomBytes(32));
const logLines: string[] = [];
const logger = createLogger(
  'debug',
  {},
  new Writable({
    write(chunk, _enc, cb) {
      logLines.push(String(chunk));
      cb();
    },
  }),
);

function channelContext(over: Partial<ChannelContext> = {}): ChannelContext {
  return {
    secrets: box,
    timeoutMs: 2_000,
    maxResponseBytes: 4_096,
    allowPrivate: true,
    discordApiUrl: 'http://127.0.0.1:1',
    telegramApiUrl: 'http://127.0.0.1:1',
    now: Date.now,
    userAgent: 'perpgraph-test',
    ...over,
  };
}

let seq = 0;
function message(over: Partial<AlertMessage> = {}): AlertMessage {
  seq += 1;
  return {
    idempotencyKey: `rule-t:FUNDING:BTCUSDT:${Date.now()}:${seq}:${randomUUID()}`,
    eventId: randomUUID(),
    ruleId: 'rule-t',
    ruleName: 'test rule',
    event: 'FUNDING_ANOMALY',
    symbol: 'BTCUSDT',
    severity: 'WARNING',
    title: 'BTCUSDT funding anomaly: z = -3.6 (rate -0.012%)',
    summary: 'Funding 3.6 σ below its 30-day mean. Shorts pay longs (1.5x usual)!',
    factors: [{ name: 'zScore', value: '-3.60' }, { name: 'rate', value: '-0.0120%', note: '8h' }],
    meta: { source: 'SIMULATED', venue: 'simulated', asOf: Date.now() },
    firedAt: Date.now(),
    test: false,
    ...over,
  };
}

function outbox(db: { sql: SqlExecutor }, over: Partial<OutboxOptions> = {}): Outbox {
  return createOutbox({
    sql: db.sql,
    channels: channelContext(),
    logger,
    instanceId: randomUUID(),
    maxAttempts: 5,
    backoffBaseMs: 50,
    backoffMaxMs: 200,
    pollMs: 20,
    leaseMs: 10_000,
    concurrency: 4,
    ...over,
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface DeliveryRow {
  id: string;
  status: string;
  attempts: number;
  last_error: string | null;
  last_status_code: number | null;
}

const deliveryOf = async (db: Database, eventId: string) => (await db.sql.query<DeliveryRow>('SELECT id, status, attempts, last_error, last_status_code FROM alert_delivery WHERE event_id = $1', [eventId])).rows[0];
const attemptsOf = async (db: Database, deliveryId: string) =>
  (await db.sql.query<{ attempt: number; outcome: string; status_code: number | null; latency_ms: number; error: string | null }>('SELECT attempt, outcome, status_code, latency_ms, error FROM alert_delivery_attempt WHERE delivery_id = $1 ORDER BY attempt', [deliveryId])).rows;

function suite(name: string, open: () => Promise<{ db: Database; url: string | undefined; cleanup(): Promise<void> }>) {
  describe(name, () => {
    let db: Database;
    let url: string | undefined;
    let cleanup: () => Promise<void>;
    let secret: string | undefined;
    let webhook: FakeReceiver & { verified: unknown[] };
    let discord: FakeReceiver;
    let telegram: Awaited<ReturnType<typeof startFakeTelegram>>;
    const running: Outbox[] = [];
    const start = (o: Outbox) => (running.push(o), o.start(), o);

    beforeAll(async () => {
      ({ db, url, cleanup } = await open());
      webhook = await startWebhookReceiver({ secret: () => secret });
      discord = await startFakeDiscord();
      telegram = await startFakeTelegram({ token: TG_TOKEN });
    }, 60_000);

    // A started dispatcher would claim the next test's rows with its own settings.
    afterEach(async () => {
      for (const o of running.splice(0)) await o.stop();
    });

    afterAll(async () => {
      await Promise.all([webhook?.close(), discord?.close(), telegram?.close()]);
      await db?.close();
      await cleanup?.();
    });

    function webhookChannel(target = `${webhook.url}/hooks/in`): StoredChannel {
      const sealed = sealChannel({ type: 'WEBHOOK', url: target }, 0, { secrets: box, discordApiUrl: discord.url });
      secret = sealed.signingSecret!;
      return sealed.stored;
    }

    it('writes the event before delivery, signs the webhook, and a second enqueue of the same key adds nothing', async () => {
      const o = outbox(db);
      const m = message();
      const channel = webhookChannel();
      expect(await o.enqueue({ message: m, channels: [channel] })).toEqual({ inserted: true, buffered: false });
      expect(await o.enqueue({ message: { ...m, eventId: randomUUID() }, channels: [channel] }), 'same idempotency key').toEqual({ inserted: false, buffered: false });
      expect((await deliveryOf(db, m.eventId))?.status, 'in the outbox, not yet sent').toBe('PENDING');
      const before = webhook.accepted.length;
      await o.tick();
      expect(webhook.accepted.length - before).toBe(1);
      const got = webhook.accepted.at(-1)!;
      expect(got.headers['x-perpgraph-idempotency-key']).toBe(m.idempotencyKey);
      const body = JSON.parse(got.body) as { text: string; factors: unknown[]; meta: { source: string } };
      expect(body.text.split('\n')[0]).toBe('SIMULATED data, not a live market');
      expect(body.meta.source).toBe('SIMULATED');
      expect(body.factors).toEqual(m.factors);
      const row = await deliveryOf(db, m.eventId);
      expect(row).toMatchObject({ status: 'DELIVERED', attempts: 1, last_status_code: 200 });
      const log = await attemptsOf(db, row!.id);
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({ attempt: 1, outcome: 'DELIVERED', status_code: 200, error: null });
      expect(log[0]!.latency_ms).toBeGreaterThan(0);
      const events = await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM alert_event WHERE idempotency_key = $1', [m.idempotencyKey]);
      expect(events.rows[0]!.n).toBe(1);
    });

    it('Discord 429: retried after the retry_after of the JSON body, then delivered once', async () => {
      const o = start(outbox(db));
      const ch = sealChannel({ type: 'DISCORD', url: `${discord.url}/api/webhooks/1234/tok-en_x` }, 0, { secrets: box, discordApiUrl: discord.url }).stored;
      const before = discord.requests.length;
      discord.faults.push({ kind: '429', retryAfterSec: 0.8 });
      const m = message({ severity: 'CRITICAL' });
      await o.enqueue({ message: m, channels: [ch] });
      o.wake();
      const row = await until('discord delivered', async () => {
        const r = await deliveryOf(db, m.eventId);
        return r?.status === 'DELIVERED' && r;
      });
      const reqs = discord.requests.slice(before);
      expect(reqs.map((r) => r.status)).toEqual([429, 200]);
      expect(reqs[1]!.at - reqs[0]!.at, 'waited retry_after = 0.8 s').toBeGreaterThanOrEqual(790);
      expect(reqs[0]!.path).toBe('/api/webhooks/1234/tok-en_x?wait=true');
      const embed = (JSON.parse(reqs[1]!.body) as { embeds: Array<{ color: number; footer: { text: string } }> }).embeds[0]!;
      expect(embed.color).toBe(0xe74c3c);
      expect(embed.footer.text.startsWith('source SIMULATED · simulated')).toBe(true);
      expect((await attemptsOf(db, row.id)).map((a) => [a.outcome, a.status_code])).toEqual([
        ['RETRY', 429],
        ['DELIVERED', 200],
      ]);
    });

    it('Telegram: MarkdownV2 accepted by the parse check, 429 parameters.retry_after honoured, token never in errors', async () => {
      const o = start(outbox(db, { channels: channelContext({ telegramApiUrl: telegram.url }) }));
      const ch = sealChannel({ type: 'TELEGRAM', botToken: TG_TOKEN, chatId: '-1001234567' }, 0, { secrets: box, discordApiUrl: discord.url }).stored;
      const before = telegram.requests.length;
      telegram.faults.push({ kind: '429', retryAfterSec: 1 });
      const m = message();
      await o.enqueue({ message: m, channels: [ch] });
      o.wake();
      await until('telegram delivered', async () => (await deliveryOf(db, m.eventId))?.status === 'DELIVERED');
      const reqs = telegram.requests.slice(before);
      expect(reqs.map((r) => r.status)).toEqual([429, 200]);
      expect(reqs[1]!.at - reqs[0]!.at).toBeGreaterThanOrEqual(990);
      const sent = telegram.messages.at(-1)!;
      expect(sent.parse_mode).toBe('MarkdownV2');
      expect(sent.text.split('\n')[0]).toBe('*SIMULATED data, not a live market*');
      expect(sent.text).toContain('Shorts pay longs \\(1\\.5x usual\\)\\!');
      // A bad token: 401, permanent; its error text must not carry the token (it is in the URL path).
      const bad = sealChannel({ type: 'TELEGRAM', botToken: '111111111:AAwrong_token_value_1234567890', chatId: '42' }, 0, { secrets: box, discordApiUrl: discord.url }).stored;
      const m2 = message();
      await o.enqueue({ message: m2, channels: [bad] });
      o.wake();
      const dead = await until('bad token dead', async () => {
        const r = await deliveryOf(db, m2.eventId);
        return r?.status === 'DEAD' && r;
      });
      expect(dead.last_status_code).toBe(401);
      expect(dead.last_error).toBe('HTTP 401: Unauthorized');
    });

    it('a receiver down for a while: retried with backoff, delivered once after it returns', async () => {
      const o = start(outbox(db, { maxAttempts: 100 }));
      const channel = webhookChannel();
      await webhook.pause();
      const m = message();
      await o.enqueue({ message: m, channels: [channel] });
      o.wake();
      await until('three refused attempts', async () => ((await deliveryOf(db, m.eventId))?.attempts ?? 0) >= 3);
      expect((await deliveryOf(db, m.eventId))?.status).not.toBe('DELIVERED');
      await new Promise((r) => setTimeout(r, 1_500));
      const before = webhook.accepted.length;
      await webhook.resume();
      const row = await until('delivered after return', async () => {
        const r = await deliveryOf(db, m.eventId);
        return r?.status === 'DELIVERED' && r;
      });
      await new Promise((r) => setTimeout(r, 500)); // nothing more arrives
      const mine = webhook.accepted.slice(before).filter((r) => r.headers['x-perpgraph-idempotency-key'] === m.idempotencyKey);
      expect(mine, 'exactly once').toHaveLength(1);
      const log = await attemptsOf(db, row.id);
      expect(log.at(-1)!.outcome).toBe('DELIVERED');
      expect(log.slice(0, -1).every((a) => a.outcome === 'RETRY' && a.status_code === null && /ECONNREFUSED/.test(a.error ?? ''))).toBe(true);
      expect(log.length).toBe(row.attempts);
    });

    it('a receiver down for 60 s (injected clock, default backoff 2 s base): retried at +2, +6, +14, +30, +62 s, delivered once after it returns', async () => {
      // The row is due from the database's now() at enqueue; the injected clock starts a second later.
      const t0 = Date.now() + 1_000;
      let t = t0;
      // random = 1: every delay is its full-jitter ceiling, 2 s · 2^(attempt-1), so the schedule is exact.
      const o = outbox(db, { clock: () => t, random: () => 1, backoffBaseMs: 2_000, backoffMaxMs: 600_000, maxAttempts: 8 });
      const channel = webhookChannel();
      await webhook.pause();
      const m = message({ firedAt: t0 });
      await o.enqueue({ message: m, channels: [channel] });
      const before = webhook.accepted.length;
      let delivered: DeliveryRow | undefined;
      for (let elapsed = 0; elapsed <= 90_000 && !delivered; elapsed += 1_000) {
        t = t0 + elapsed;
        if (elapsed === 60_000) await webhook.resume();
        await o.tick();
        const row = await deliveryOf(db, m.eventId);
        if (row?.status === 'DELIVERED') delivered = row;
      }
      expect(delivered, 'delivered once the receiver is back').toBeDefined();
      const mine = webhook.accepted.slice(before).filter((r) => r.headers['x-perpgraph-idempotency-key'] === m.idempotencyKey);
      expect(mine, 'exactly once').toHaveLength(1);
      const log = (await db.sql.query<{ outcome: string; started_at: Date | string }>('SELECT outcome, started_at FROM alert_delivery_attempt WHERE delivery_id = $1 ORDER BY attempt', [delivered!.id])).rows;
      expect(log.map((a) => a.outcome)).toEqual(['RETRY', 'RETRY', 'RETRY', 'RETRY', 'RETRY', 'DELIVERED']);
      expect(
        log.map((a) => (new Date(a.started_at).getTime() - t0) / 1000),
        'attempts at 0 s, then after 2, 4, 8, 16 and 32 s of backoff: 2 s after the receiver returned at 60 s',
      ).toEqual([0, 2, 6, 14, 30, 62]);
      expect(delivered!.attempts).toBe(6);
    });

    it('dead-letters after ALERTS_MAX_ATTEMPTS 5xx answers', async () => {
      const o = outbox(db, { maxAttempts: 3, backoffBaseMs: 1, backoffMaxMs: 1 });
      const channel = webhookChannel();
      webhook.faults.push({ kind: '500' }, { kind: '500' }, { kind: '500' });
      const m = message();
      await o.enqueue({ message: m, channels: [channel] });
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setTimeout(r, 20));
        await o.tick();
      }
      const row = await deliveryOf(db, m.eventId);
      expect(row).toMatchObject({ status: 'DEAD', attempts: 3, last_status_code: 500 });
      expect((await attemptsOf(db, row!.id)).map((a) => a.outcome)).toEqual(['RETRY', 'RETRY', 'DEAD']);
    });

    it('SSRF: loopback, metadata, [::1] and a name resolving to a private address are refused before connecting; redirects are not followed', async () => {
      const before = webhook.requests.length;
      const guarded = outbox(db, {
        channels: channelContext({ allowPrivate: false, resolver: async (host) => (host === 'internal.example.test' ? [{ address: '10.1.2.3', family: 4 }] : [{ address: '127.0.0.1', family: 4 }]) }),
      });
      const targets = [`${webhook.url}/x`, 'http://169.254.169.254/latest/meta-data/', `http://[::1]:${webhook.port}/x`, `http://internal.example.test:${webhook.port}/x`, `http://localhost:${webhook.port}/x`];
      const events = [];
      for (const t of targets) {
        const m = message();
        events.push(m);
        await guarded.enqueue({ message: m, channels: [webhookChannel(t)] });
      }
      await guarded.tick();
      await guarded.tick();
      const errors = [];
      for (const m of events) {
        const row = await deliveryOf(db, m.eventId);
        expect(row?.status, m.eventId).toBe('DEAD');
        expect(row?.attempts).toBe(1);
        errors.push(row!.last_error);
      }
      expect(errors[0]).toMatch(/127\.0\.0\.1 \(loopback\)/);
      expect(errors[1]).toMatch(/169\.254\.169\.254 \(linkLocal\)/);
      expect(errors[2]).toMatch(/::1 \(loopback\)/);
      expect(errors[3]).toMatch(/internal\.example\.test resolves to 10\.1\.2\.3 \(private\)/);
      expect(errors[4]).toMatch(/localhost resolves to 127\.0\.0\.1 \(loopback\)/);
      expect(webhook.requests.length - before, 'no request reached the receiver').toBe(0);

      // Redirect: the receiver answers 302 to another (private) target, which must never be asked.
      const inner = await startWebhookReceiver({ secret: () => secret });
      try {
        const o = outbox(db);
        const channel = webhookChannel();
        webhook.faults.push({ kind: 'redirect', location: `${inner.url}/steal` });
        const m = message();
        await o.enqueue({ message: m, channels: [channel] });
        await o.tick();
        const row = await deliveryOf(db, m.eventId);
        expect(row).toMatchObject({ status: 'DEAD', last_status_code: 302, last_error: 'HTTP 302 (redirects are not followed)' });
        expect(inner.requests).toHaveLength(0);
      } finally {
        await inner.close();
      }
    });

    it('a database blip: enqueue and finish writes are kept and written when it answers again', async () => {
      let down = false;
      const flaky: SqlExecutor = {
        query: (text, params) => (down ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')) : db.sql.query(text, params)),
      };
      const o = outbox({ sql: flaky });
      const channel = webhookChannel();
      const m = message();
      down = true;
      expect(await o.enqueue({ message: m, channels: [channel] })).toEqual({ inserted: false, buffered: true });
      expect(await o.tick()).toBe(0);
      expect(o.stats().bufferedWrites).toBe(1);
      down = false;
      await o.tick();
      expect((await deliveryOf(db, m.eventId))?.status).toBe('DELIVERED');
      expect(o.stats().bufferedWrites).toBe(0);
    });

    it('two dispatchers sharing the database deliver each event once', async () => {
      const second = url ? await createDatabase({ url, dataDir: '/nonexistent' }) : db;
      try {
        const a = outbox(db, { concurrency: 3 });
        const b = outbox(second, { concurrency: 3 });
        const channel = webhookChannel();
        const keys: string[] = [];
        for (let i = 0; i < 30; i++) {
          const m = message();
          keys.push(m.idempotencyKey);
          // Both instances evaluated the same record: both enqueue it, one row results.
          const [x, y] = await Promise.all([a.enqueue({ message: m, channels: [channel] }), b.enqueue({ message: { ...m, eventId: randomUUID() }, channels: [channel] })]);
          expect(Number(x.inserted) + Number(y.inserted)).toBe(1);
        }
        const before = webhook.accepted.length;
        await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
        await until('all 30', async () => webhook.accepted.length - before >= 30);
        await new Promise((r) => setTimeout(r, 300));
        const got = webhook.accepted.slice(before).map((r) => r.headers['x-perpgraph-idempotency-key']);
        expect(got).toHaveLength(30);
        expect(new Set(got).size).toBe(30);
        expect([...got].sort()).toEqual([...keys].sort());
        expect(a.stats().delivered + b.stats().delivered).toBe(30);
      } finally {
        if (second !== db) await second.close();
      }
    });

    it('secrets never reach the logs', () => {
      const all = logLines.join('');
      expect(all.length).toBeGreaterThan(0);
      expect(all).not.toContain(TG_TOKEN);
      expect(all).not.toContain('tok-en_x');
      expect(all).not.toContain('AAwrong_token_value');
      if (secret) expect(all).not.toContain(secret);
    });
  });
}

suite('alert outbox on PGlite', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'perpgraph-alerts-'));
  const db = await createDatabase({ dataDir: dir });
  return { db, url: undefined, cleanup: () => rm(dir, { recursive: true, force: true }) };
});

describe.skipIf(!process.env.DATABASE_URL)('Postgres', () => {
  suite('alert outbox on Postgres (DATABASE_URL)', async () => {
    const isolated = await isolatedDatabase();
    const db = await createDatabase({ url: isolated.url!, dataDir: '/nonexistent' });
    return { db, url: isolated.url, cleanup: isolated.drop };
  });
});
