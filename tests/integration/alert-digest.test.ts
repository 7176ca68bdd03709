import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateDigestRuleDocument, DigestRulesDocument, type CreateDigestRuleMutationVariables } from '../../generated/graphql/graphql.js';
import { generateApiKey } from '../../src/auth/keys.js';
import { startWebhookReceiver, type FakeReceiver, type ReceivedRequest } from '../support/fake-alert-receivers.js';
import { startIsolatedTestApp, waitFor, type IsolatedTestApp } from '../support/harness.js';

/**
 * DIGEST rules end to end on the simulated market: the schedule validated through GraphQL (croner's parse
 * error as BAD_USER_INPUT), an every-second cron firing at whole-second slots, each slot once, the card's
 * values equal to what the GraphQL queries answer for the same records (same asOf), SIMULATED on the
 * first line, and testAlertRule sending the card now.
 */

async function post(url: string, query: string, variables: Record<string, unknown> = {}, key?: string) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) }, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as { data?: Record<string, any>; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

const CREATE = `mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { signingSecrets rule { id event symbols schedule { cron timezone sections nextRunAt } } } }`;

/** The GraphQL answers behind each section of the card, with the asOf of the record they come from. */
const VALUES = `query($s: String!) {
  market(symbol: $s) {
    confirmation { score signal quality strength coverage meta { asOf stale } }
    funding { rate annualizedRate zScore signal meta { asOf } }
    scenarios { scenarios { bias kind entry { priceMin priceMax } stopLoss { price } targets { price } } meta { asOf } }
  }
  sentiment(symbol: $s) { composite classification coverage coverageNote meta { asOf } }
  correlations { regime { regime score averageCorrelationToBtc btcDominance } notes meta { asOf stale } }
  emergency(symbol: $s) { level triggers { note } meta { asOf } }
}`;

interface Section {
  section: string;
  available: boolean;
  text: string;
  reason: string | null;
  values: Record<string, unknown>;
  source: string | null;
  asOf: string | null;
  stale: boolean;
}
interface DigestBody {
  type: string;
  idempotencyKey: string;
  ruleId: string;
  event: string;
  text: string;
  test: boolean;
  meta: { source: string };
  digest: { slot: string; cron: string; timezone: string; late: boolean; market: Section[]; symbols: Array<{ symbol: string; sections: Section[] }> };
}

describe('digest rules (simulated market)', () => {
  const admin = generateApiKey().plaintext;
  let app: IsolatedTestApp;
  let receiver: FakeReceiver & { verified: ReceivedRequest[] };
  const secrets: string[] = [];

  beforeAll(async () => {
    receiver = await startWebhookReceiver({ secret: () => secrets.at(-1) });
    // A market that ticks once a minute after its backfill: the records a card reads and the ones the queries
    // answer with right after are the same (asserted through their asOf).
    app = await startIsolatedTestApp({ ADMIN_API_KEY: admin, ALERTS_ALLOW_PRIVATE_TARGETS: 'true', ALERTS_POLL_MS: '50', ALERTS_DIGEST_MIN_PERIOD_MS: '1000', SIM_TICK_MS: '60000' });
  }, 60_000);
  afterAll(async () => {
    await app?.teardown();
    await receiver?.close();
  });

  it('refuses invalid schedules with BAD_USER_INPUT and croner’s parse error', async () => {
    const channels = [{ type: 'WEBHOOK', url: `${receiver.url}/hook` }];
    const bad = async (input: Record<string, unknown>) => {
      const r = await post(app.url, CREATE, { input: { event: 'DIGEST', channels, ...input } }, admin);
      expect(r.errors?.[0]?.extensions?.code, JSON.stringify(input)).toBe('BAD_USER_INPUT');
      return r.errors![0]!.message;
    };
    expect(await bad({ schedule: { cron: '61 * * * *', sections: ['CONFIRMATION'] } })).toBe('schedule.cron: CronPattern: Invalid value for minute: 61');
    expect(await bad({ schedule: { cron: '0 * * * *', timezone: 'Mars/Olympus', sections: ['CONFIRMATION'] } })).toMatch(/^schedule\.timezone: "Mars\/Olympus" is not an IANA time zone/);
    expect(await bad({ schedule: { cron: '*/0.5 * * * * *', sections: ['CONFIRMATION'] } })).toMatch(/^schedule\.cron: /);
    expect(await bad({})).toBe('schedule is required for a DIGEST rule (cron, timezone, sections)');
    expect(await bad({ schedule: { cron: '0 * * * *', sections: ['FUNDING'] }, conditions: { minSeverity: 3 } })).toBe('conditions do not apply to DIGEST (given: minSeverity)');
    const notDigest = await post(app.url, CREATE, { input: { event: 'CASCADE_DETECTED', schedule: { cron: '0 * * * *', sections: ['FUNDING'] }, channels } }, admin);
    expect(notDigest.errors?.[0]?.message).toBe('schedule applies to DIGEST rules only, not CASCADE_DETECTED');
  });

  it('an every-second digest: one card per whole-second slot, values equal to the GraphQL answers for the same records', async () => {
    // Wait until the analyses a card reads have results (the simulated backfill is computed on start).
    const first = await waitFor(async () => {
      const r = await post(app.url, VALUES, { s: 'BTCUSDT' });
      return r.data?.market?.confirmation && r.data?.market?.funding && r.data?.emergency && r;
    }, 60_000, 250);
    expect(first.data!.market.confirmation.meta.asOf).toBeTruthy();

    // The example document of examples/alerts.graphql, typed by codegen.
    const variables: CreateDigestRuleMutationVariables = {
      input: { name: 'desk card', event: 'DIGEST', symbols: ['BTCUSDT'], schedule: { cron: '* * * * * *', sections: ['CONFIRMATION', 'SENTIMENT', 'CROSS_ASSET', 'SCENARIOS', 'EMERGENCY', 'FUNDING'] }, channels: [{ type: 'WEBHOOK', url: `${receiver.url}/digest` }] },
    };
    const created = await post(app.url, print(CreateDigestRuleDocument), variables as unknown as Record<string, unknown>, admin);
    expect(created.errors).toBeUndefined();
    const { rule, signingSecrets } = created.data!.createAlertRule;
    secrets.push(signingSecrets[0]);
    expect(rule.schedule).toMatchObject({ cron: '* * * * * *', timezone: 'UTC', sections: ['CONFIRMATION', 'SENTIMENT', 'CROSS_ASSET', 'SCENARIOS', 'EMERGENCY', 'FUNDING'] });
    expect(new Date(rule.schedule.nextRunAt).getTime() % 1000, 'the next slot is a whole second').toBe(0);
    const listed = await post(app.url, print(DigestRulesDocument), {}, admin);
    expect(listed.data!.alertRules.find((r: { id: string }) => r.id === rule.id)).toMatchObject({ event: 'DIGEST', symbols: ['BTCUSDT'], schedule: { cron: '* * * * * *', timezone: 'UTC' } });

    const mine = () => receiver.verified.map((r) => JSON.parse(r.body) as DigestBody).filter((b) => b.ruleId === rule.id && !b.test);
    const cards = await waitFor(async () => mine().length >= 3 && mine(), 20_000, 50);
    const values = await post(app.url, VALUES, { s: 'BTCUSDT' });
    const card = cards.at(-1)!;

    // Slots: whole seconds, each once, the key rule + slot.
    const slots = cards.map((c) => new Date(c.digest.slot).getTime());
    expect(slots.every((s) => s % 1000 === 0)).toBe(true);
    expect(new Set(slots).size, 'one card per slot').toBe(slots.length);
    for (let i = 1; i < slots.length; i++) expect(slots[i]! - slots[i - 1]!, 'consecutive seconds').toBe(1000);
    expect(cards.map((c) => c.idempotencyKey)).toEqual(slots.map((s) => `${rule.id}:DIGEST:${s}`));

    expect(card.type).toBe('digest.sent');
    expect(card.event).toBe('DIGEST');
    expect(card.meta.source).toBe('SIMULATED');
    expect(card.text.split('\n')[0], 'simulated said in the first line').toBe('SIMULATED data, not a live market');
    expect(card.digest.late).toBe(false);

    const section = (name: string) => (name === 'CROSS_ASSET' ? card.digest.market : card.digest.symbols[0]!.sections).find((s) => s.section === name)!;
    const sameRecord = (name: string, asOf: string) => expect(section(name).asOf, `${name}: the card and the query read the same record`).toBe(asOf);
    const q = values.data!;
    expect(card.digest.symbols.map((s) => s.symbol)).toEqual(['BTCUSDT']);

    const c = q.market.confirmation;
    sameRecord('CONFIRMATION', c.meta.asOf);
    expect(section('CONFIRMATION').stale, 'stale as meta.stale judges it').toBe(c.meta.stale);
    expect(section('CONFIRMATION')).toMatchObject({ available: true, source: 'SIMULATED', values: { score: c.score, signal: c.signal, quality: c.quality, strength: c.strength, coverage: c.coverage } });

    const f = q.market.funding;
    sameRecord('FUNDING', f.meta.asOf);
    expect(section('FUNDING').values).toEqual({ rate: f.rate, annualizedRate: f.annualizedRate, zScore: f.zScore, signal: f.signal });

    const e = q.emergency;
    sameRecord('EMERGENCY', e.meta.asOf);
    expect(section('EMERGENCY').values).toEqual({ level: e.level, triggers: e.triggers.length });

    // Sections that may have no reading on a young simulated market: then unavailable with a reason and no values.
    const s = q.sentiment;
    if (s === null || s.composite === null) {
      expect(section('SENTIMENT')).toMatchObject({ available: false, values: {} });
      expect(section('SENTIMENT').reason).toBeTruthy();
    } else {
      sameRecord('SENTIMENT', s.meta.asOf);
      expect(section('SENTIMENT').values).toEqual({ composite: s.composite, classification: s.classification, coverage: s.coverage });
    }
    const x = q.correlations;
    if (x === null || x.regime === null) {
      expect(section('CROSS_ASSET')).toMatchObject({ available: false, values: {} });
      expect(section('CROSS_ASSET').reason).toBeTruthy();
    } else {
      sameRecord('CROSS_ASSET', x.meta.asOf);
      expect(section('CROSS_ASSET').stale, 'an hourly analysis is judged by its inputs, not by a fixed age').toBe(x.meta.stale);
      expect(section('CROSS_ASSET').values).toEqual({ regime: x.regime.regime, score: x.regime.score, averageCorrelationToBtc: x.regime.averageCorrelationToBtc, btcDominance: x.regime.btcDominance });
    }
    const sc = q.market.scenarios;
    const top = sc?.scenarios[0];
    if (!top) {
      expect(section('SCENARIOS')).toMatchObject({ available: false, values: {} });
    } else {
      sameRecord('SCENARIOS', sc.meta.asOf);
      expect(section('SCENARIOS').values, 'prices on the tick grid as the query serves them').toMatchObject({ bias: top.bias, kind: top.kind, entryMin: top.entry.priceMin, entryMax: top.entry.priceMax, stop: top.stopLoss.price, targets: top.targets.map((t: { price: number }) => t.price) });
    }
    for (const item of [...card.digest.market, ...card.digest.symbols[0]!.sections]) {
      if (!item.available) expect(Object.keys(item.values), `${item.section}: a missing reading carries no number`).toEqual([]);
    }

    // alertEvents keeps each slot with its delivery.
    const history = await waitFor(async () => {
      const r = await post(app.url, `query($r: ID) { alertEvents(ruleId: $r, first: 50) { edges { node { event idempotencyKey source factors { name value note } deliveries { status } } } } }`, { r: rule.id }, admin);
      const edges = (r.data?.alertEvents.edges ?? []) as Array<{ node: { idempotencyKey: string; deliveries: Array<{ status: string }> } }>;
      return edges.some((x) => x.node.idempotencyKey === card.idempotencyKey && x.node.deliveries[0]?.status === 'DELIVERED') && edges;
    }, 10_000);
    const node = history.find((x: any) => x.node.idempotencyKey === card.idempotencyKey)!.node as any;
    expect(node.event).toBe('DIGEST');
    expect(node.factors.map((x: { name: string }) => x.name)).toEqual(['Market · Cross-asset regime', 'BTCUSDT · Confirmation', 'BTCUSDT · Sentiment', 'BTCUSDT · Scenario', 'BTCUSDT · Emergency', 'BTCUSDT · Funding']);

    // testAlertRule on a digest: the card now, marked as a test, its own key.
    const tested = await post(app.url, 'mutation($id: ID!) { testAlertRule(id: $id) { test event idempotencyKey } }', { id: rule.id }, admin);
    expect(tested.data?.testAlertRule).toMatchObject({ test: true, event: 'DIGEST' });
    expect(tested.data!.testAlertRule.idempotencyKey).toMatch(new RegExp(`^${rule.id}:TEST:`));
    const test = await waitFor(async () => receiver.verified.map((r) => JSON.parse(r.body) as DigestBody).find((b) => b.ruleId === rule.id && b.test), 10_000);
    expect(test.type).toBe('alert.test');
    expect(test.text.split('\n')[0]).toBe('TEST MESSAGE (not a market event) · SIMULATED data, not a live market');
    expect(test.digest.symbols[0]!.sections.map((x) => x.section)).toEqual(['CONFIRMATION', 'SENTIMENT', 'SCENARIOS', 'EMERGENCY', 'FUNDING']);

    // Deleting the rule stops its timer: no card for a later slot.
    expect((await post(app.url, 'mutation($id: ID!) { deleteAlertRule(id: $id) }', { id: rule.id }, admin)).data?.deleteAlertRule).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    const after = mine().length;
    await new Promise((r) => setTimeout(r, 2_200));
    expect(mine().length, 'no slot after deletion').toBe(after);
  }, 120_000);
});
