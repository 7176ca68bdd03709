import { describe, expect, it } from 'vitest';
import { createMetrics, createOperationNames, type MetricsSources } from '../../src/observability/metrics.js';
import { parsePrometheusText, sampleValue } from '../support/prom-text.js';

describe('operation name labels', () => {
  it('names unnamed operations anonymous, cuts long names and counts names past the cap as other', () => {
    const name = createOperationNames(2);
    expect(name(undefined)).toBe('anonymous');
    expect(name('')).toBe('anonymous');
    expect(name('A')).toBe('A');
    expect(name('B')).toBe('B');
    expect(name('C'), 'a third distinct name over a cap of 2').toBe('other');
    expect(name('A'), 'names seen before keep their label').toBe('A');
    expect(createOperationNames()('x'.repeat(100)), 'cut at 64 characters').toBe('x'.repeat(64));
  });
});

describe('scrape-time counters', () => {
  function sources(engine: { computations: number; failures: number; computeMs: number } | undefined, asOf = 1_000): MetricsSources {
    return {
      now: () => 31_000,
      engine: () => (engine ? { kindStats: () => new Map([['FUNDING', engine]]), oldestAsOf: () => new Map([['FUNDING', asOf]]) } : undefined),
      subscriptions: () => undefined,
      venues: () => [],
      snapshots: () => undefined,
      pubsub: () => undefined,
      eventLoop: () => undefined,
    };
  }

  it('mirror component totals by delta and keep counting when the component restarts from zero', async () => {
    const metrics = createMetrics({ version: 'test' });
    const stats = { computations: 10, failures: 2, computeMs: 500 };
    metrics.watch(sources(stats));
    let f = parsePrometheusText((await metrics.scrape()).body);
    expect(sampleValue(f, 'perpgraph_engine_computations_total', { kind: 'FUNDING', outcome: 'ok' })).toBe(8);
    expect(sampleValue(f, 'perpgraph_engine_computations_total', { kind: 'FUNDING', outcome: 'failed' })).toBe(2);
    expect(sampleValue(f, 'perpgraph_engine_compute_seconds_total', { kind: 'FUNDING' })).toBe(0.5);
    expect(sampleValue(f, 'perpgraph_analysis_age_seconds', { kind: 'FUNDING' }), '(31 000 - 1 000) ms').toBe(30);

    stats.computations = 15;
    f = parsePrometheusText((await metrics.scrape()).body);
    expect(sampleValue(f, 'perpgraph_engine_computations_total', { kind: 'FUNDING', outcome: 'ok' }), '5 more').toBe(13);

    // A rebuilt engine (the fallback turned live) starts again at zero: its 3 new runs are added, nothing is subtracted.
    metrics.watch(sources({ computations: 3, failures: 0, computeMs: 30 }));
    f = parsePrometheusText((await metrics.scrape()).body);
    expect(sampleValue(f, 'perpgraph_engine_computations_total', { kind: 'FUNDING', outcome: 'ok' })).toBe(16);
    expect(sampleValue(f, 'perpgraph_engine_compute_seconds_total', { kind: 'FUNDING' })).toBeCloseTo(0.53, 10);

    // No engine (ROLE=api, or stopped): counters keep their totals, the age gauge is gone.
    metrics.watch(sources(undefined));
    f = parsePrometheusText((await metrics.scrape()).body);
    expect(sampleValue(f, 'perpgraph_engine_computations_total', { kind: 'FUNDING', outcome: 'ok' })).toBe(16);
    expect(sampleValue(f, 'perpgraph_analysis_age_seconds', { kind: 'FUNDING' })).toBeUndefined();
  });

  it('counts alert deliveries by channel and outcome, on its own registry', async () => {
    const a = createMetrics({ version: 'a' });
    const b = createMetrics({ version: 'b' });
    a.alertDeliveries.record('webhook', 'delivered');
    a.alertDeliveries.record('webhook', 'delivered');
    a.alertDeliveries.record('discord', 'retried');
    const fa = parsePrometheusText((await a.scrape()).body);
    const fb = parsePrometheusText((await b.scrape()).body);
    expect(sampleValue(fa, 'perpgraph_alert_deliveries_total', { channel: 'webhook', outcome: 'delivered' })).toBe(2);
    expect(sampleValue(fa, 'perpgraph_alert_deliveries_total', { channel: 'discord', outcome: 'retried' })).toBe(1);
    expect(sampleValue(fb, 'perpgraph_alert_deliveries_total', { channel: 'webhook', outcome: 'delivered' }), 'registries are not shared').toBeUndefined();
  });
});
