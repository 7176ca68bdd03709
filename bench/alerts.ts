/**
 * bench:alerts — (1) the cost of evaluating 100 alert rules × 20 symbols on fresh results, as a fraction of one
 * core at the engine's highest result rate, against the same hook with no rules (baseline) in the same run;
 * (2) delivery throughput of the outbox (embedded PGlite) to a local signed-webhook receiver over real HTTP,
 * events/s and p99 event → delivery latency, against bare POSTs to the same receiver (baseline).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { createAlertEvaluator } from '../src/alerts/evaluator.js';
import type { Alerting } from '../src/alerts/alerting.js';
import type { AlertRule, RuleStore } from '../src/alerts/rule-store.js';
import { createOutbox } from '../src/alerts/outbox.js';
import { createSecretBox } from '../src/alerts/secrets.js';
import { sealChannel } from '../src/alerts/channels.js';
import type { AlertEventType, AlertMessage } from '../src/alerts/types.js';
import type { AnalysisRecord } from '../src/domain/analysis.js';
import { createDatabase } from '../src/db/database.js';
import { createLogger } from '../src/logger.js';
import { startWebhookReceiver } from '../tests/support/fake-alert-receivers.js';

const logger = createLogger('silent');
const SYMBOLS = Array.from({ length: 20 }, (_, i) => `SYM${i}USDT`);
const KINDS = ['FUNDING', 'CONFIRMATION', 'LIQUIDATION_CASCADES', 'REGIME', 'EMERGENCY', 'CORRELATION', 'VOLUME', 'OPEN_INTEREST', 'BASIS', 'LONG_SHORT', 'WHALES', 'KEY_LEVELS', 'MARKET_STRUCTURE', 'VOLATILITY', 'SENTIMENT', 'SESSIONS', 'TRAPS', 'VOLUME_PROFILE', 'SCENARIOS', 'LIQUIDATION_HEATMAP'];
/** Upper bound of the engine's record rate: every kind of every symbol recomputed once per ANALYSIS_MIN_INTERVAL_MS (1 s). */
const RECORDS_PER_SECOND = KINDS.length * SYMBOLS.length;

function rules(n: number): AlertRule[] {
  const events: Array<[AlertEventType, object]> = [
    ['FUNDING_ANOMALY', { minAbsZ: 3 }],
    ['CONFIRMATION_THRESHOLD', { minComposite: 80, minQuality: 'GOOD' }],
    ['CASCADE_DETECTED', { minSeverity: 4 }],
    ['MTF_REGIME_CONFIRMED', { minAgreement: 4 }],
    ['EMERGENCY_LEVEL_CHANGED', { minLevel: 'EMERGENCY' }],
  ];
  return Array.from({ length: n }, (_, i) => {
    const [event, conditions] = events[i % events.length]!;
    return { id: `r${i}`, name: null, event, symbols: i % 4 === 0 ? [] : [SYMBOLS[i % SYMBOLS.length]!], conditions, cooldownMs: 60_000, schedule: null, channels: [], enabled: true, createdAt: 0, updatedAt: 0 } as AlertRule;
  });
}

const resultOf = (kind: string, symbol: string, i: number): object => {
  switch (kind) {
    case 'FUNDING':
      return { symbol, zScore: Math.sin(i) * 2, rate: 0.0001, annualizedRate: 0.1, fundingIntervalHours: 8, sampleSize: 90, signal: 'NEUTRAL', factors: [] };
    case 'CONFIRMATION':
      return { symbol, score: 50 + Math.sin(i) * 20, quality: 'MODERATE', signal: 'NEUTRAL', coverage: 0.8, recommendation: '', factors: [] };
    case 'LIQUIDATION_CASCADES':
      return { symbol, severity: 2, level: 'MILD', notionalUsd: 1e5, count: 3, baselineRatio: 1, volumeShare: 0.01, longShare: 0.5, dominance: 'BALANCED' };
    case 'REGIME':
      return { symbol, primaryRegime: 'RANGE', agreement: 2, factors: [] };
    case 'EMERGENCY':
      return { symbol, level: 'NORMAL', triggers: [], factors: [] };
    default:
      return { symbol };
  }
};

async function evaluationBench() {
  const records: AnalysisRecord[] = [];
  for (let i = 0; i < 200; i++) for (const s of SYMBOLS) for (const k of KINDS) records.push({ kind: k as never, symbol: s, result: resultOf(k, s, i), asOf: i, computedAt: i, methodologyVersion: 'b/1', source: 'SIMULATED', venue: 'sim' });
  const alerting = { outbox: { enqueue: async () => ({ inserted: false, buffered: false }), wake() {} } } as unknown as Alerting;
  const pubsub = { publish() {}, subscribe: () => (async function* () {})() } as never;
  const make = async (n: number) => {
    const list = rules(n);
    const e = createAlertEvaluator({ store: { list: async () => list } as unknown as RuleStore, alerting, pubsub, logger, now: () => 0 });
    await e.reload();
    return e;
  };
  const run = (e: Awaited<ReturnType<typeof make>>) => {
    const t0 = process.cpuUsage();
    for (const r of records) e.onResult(r);
    const d = process.cpuUsage(t0);
    return (d.user + d.system) / records.length; // µs per record
  };
  const none = await make(0);
  const hundred = await make(100);
  for (let i = 0; i < 3; i++) (run(none), run(hundred)); // warm-up
  const base: number[] = [];
  const with100: number[] = [];
  for (let i = 0; i < 5; i++) {
    base.push(run(none));
    with100.push(run(hundred));
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const b = med(base);
  const w = med(with100);
  const core = (w * RECORDS_PER_SECOND) / 1e6;
  console.log(`evaluation: ${records.length} records/run, ${KINDS.length} kinds × ${SYMBOLS.length} symbols; evaluations with 100 rules: ${hundred.stats().evaluations}`);
  console.log(`  no rules (baseline): ${b.toFixed(3)} µs CPU/record   100 rules: ${w.toFixed(3)} µs CPU/record   ratio ${(w / b).toFixed(2)}x`);
  console.log(`  at ${RECORDS_PER_SECOND} records/s (every kind of 20 symbols each second, the engine's ceiling): ${(core * 100).toFixed(4)} % of a core (target < 2 %)`);
}

async function deliveryBench() {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-alerts-'));
  const db = await createDatabase({ dataDir: dir });
  const box = createSecretBox(randomBytes(32));
  let secret = '';
  const receiver = await startWebhookReceiver({ secret: () => secret });
  try {
    const sealed = sealChannel({ type: 'WEBHOOK', url: `${receiver.url}/in` }, 0, { secrets: box, discordApiUrl: 'https://discord.com' });
    secret = sealed.signingSecret!;
    const N = 300;
    // Baseline: bare POSTs of the same size, 4 at a time (the dispatcher's concurrency).
    const body = JSON.stringify({ x: 'y'.repeat(700) });
    const tb = performance.now();
    for (let i = 0; i < N; i += 4) await Promise.all(Array.from({ length: 4 }, () => request(`${receiver.url}/raw`, { method: 'POST', body }).then((r) => r.body.dump())));
    const rawPerSec = N / ((performance.now() - tb) / 1000);

    const latencies: number[] = [];
    const outbox = createOutbox({
      sql: db.sql,
      channels: { secrets: box, timeoutMs: 5_000, maxResponseBytes: 4096, allowPrivate: true, discordApiUrl: '', telegramApiUrl: '', now: Date.now, userAgent: 'bench' },
      logger,
      instanceId: randomUUID(),
      maxAttempts: 3,
      backoffBaseMs: 10,
      backoffMaxMs: 10,
      pollMs: 20,
      leaseMs: 30_000,
      concurrency: 4,
      onAttempt: (a) => {
        if (a.outcome === 'DELIVERED') latencies.push(Date.now() - a.firedAt);
      },
    });
    outbox.start();
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const m: AlertMessage = {
        idempotencyKey: `bench:${i}:${randomUUID()}`, eventId: randomUUID(), ruleId: 'bench', ruleName: null, event: 'FUNDING_ANOMALY', symbol: 'BTCUSDT', severity: 'WARNING',
        title: 'bench', summary: 'bench', factors: [{ name: 'z', value: '3.1' }], meta: { source: 'SIMULATED', venue: 'sim', asOf: Date.now() }, firedAt: Date.now(), test: false,
      };
      await outbox.enqueue({ message: m, channels: [sealed.stored] });
      outbox.wake();
    }
    await receiver.waitForAccepted(N, 120_000);
    const seconds = (performance.now() - t0) / 1000;
    await outbox.stop();
    latencies.sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
    console.log(`delivery (PGlite outbox → signed webhook over HTTP, concurrency 4, ${N} events, each enqueued then delivered):`);
    console.log(`  ${(N / seconds).toFixed(0)} events/s   bare POST baseline ${rawPerSec.toFixed(0)} req/s   ratio ${(N / seconds / rawPerSec).toFixed(3)}x`);
    console.log(`  event → delivery latency p50 ${p(0.5)} ms  p99 ${p(0.99)} ms  max ${latencies.at(-1)} ms; verified by the receiver: ${receiver.verified.length}`);
  } finally {
    await receiver.close();
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await evaluationBench();
await deliveryBench();
