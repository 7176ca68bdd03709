import { describe, expect, it } from 'vitest';
import { parse } from 'graphql';
import { schema } from '../../src/schema/index.js';
import { MAX_SELECTIONS, operationCost } from '../../src/http/cost.js';

describe('operationCost', () => {
  it('counts a fragment bomb by its expansion, walking each fragment once', () => {
    // F0 spreads F1 twice, …, F10 spreads F11 twice: 2^11 copies of F11's two fields.
    const frags = Array.from({ length: 12 }, (_, i) => (i === 11 ? 'fragment F11 on SymbolInfo { symbol tickSize }' : `fragment F${i} on SymbolInfo { ...F${i + 1} ...F${i + 1} }`));
    const report = operationCost({ schema, document: parse(`{ symbols { ...F0 } } ${frags.join(' ')}`) });
    expect(report.selections, '1 (symbols) + 2^11 × 2 fields').toBe(1 + 2 ** 11 * 2);
    expect(report.selections).toBeGreaterThan(MAX_SELECTIONS);
    expect(report.cost, 'SymbolInfo fields cost nothing').toBe(0);
  });

  it('multiplies a fragment used under markets(symbols) by the list size, like the same fields inline', () => {
    const inline = operationCost({ schema, document: parse('{ markets(symbols: ["A", "B", "C"]) { funding { rate } liquidationHeatmap(buckets: 55) { price } } }') });
    const viaFragment = operationCost({
      schema,
      document: parse('{ markets(symbols: ["A", "B", "C"]) { ...M } } fragment M on Market { funding { rate } liquidationHeatmap(buckets: 55) { price } }'),
    });
    expect(inline.cost, '3 × (2 funding + 60 + 710 heatmap on demand)').toBe(3 * 772);
    expect(viaFragment).toEqual(inline);
    expect(inline.onDemandFields).toBe(3);
  });

  it('costs market(at) as a restore per market plus every analysis computed (time travel), fragments included', () => {
    const cost = (q: string) => operationCost({ schema, document: parse(q) });
    const past = cost('{ market(symbol: "BTCUSDT", at: "2026-12-01T00:00:00Z") { regime { primaryRegime } funding { rate } forecast { symbol } } }');
    expect(past.cost, '2000 restore + regime 3 + 90, funding 2 + 10 × 2, forecast 3 + 400').toBe(2000 + 93 + 22 + 403);
    expect(past.onDemandFields).toBe(3);
    const list = cost('{ markets(symbols: ["A", "B"], at: "2026-12-01T00:00:00Z") { ...M } } fragment M on Market { structure { trend } }');
    expect(list.cost, '2 × (2000 + 5 + 60)').toBe(2 * 2065);
    expect(cost('{ markets(symbols: ["A", "B"]) { ...M } } fragment M on Market { structure { trend } }').cost, 'the same fragment live: served').toBe(10);
    const aliases = Array.from({ length: 30 }, (_, i) => `m${i}: market(symbol: "BTCUSDT", at: "2026-12-01T00:${String(i).padStart(2, '0')}:00Z") { symbol }`);
    expect(cost(`{ ${aliases.join(' ')} }`).cost, '30 restores').toBe(60_000);
  });

  it('terminates on a fragment cycle (possible before validation)', () => {
    const report = operationCost({ schema, document: parse('{ symbols { ...A } } fragment A on SymbolInfo { symbol ...B } fragment B on SymbolInfo { tickSize ...A }') });
    expect(report.selections, 'symbols, symbol, tickSize, then A again as far as it was walked (symbol): no recursion').toBe(4);
  });

  it('costs confirmation weights and language as served (applied to the cached record), another interval as on demand', () => {
    const cost = (q: string) => operationCost({ schema, document: parse(q) });
    const served = cost('{ market(symbol: "BTCUSDT") { confirmation(language: TR, weights: [{ layer: VOLUME, weight: 0 }]) { score } } }');
    expect([served.cost, served.onDemandFields]).toEqual([5, 0]);
    const onDemand = cost('{ market(symbol: "BTCUSDT") { confirmation(interval: I4H) { score } } }');
    expect([onDemand.cost, onDemand.onDemandFields]).toEqual([405, 1]);
    expect(cost('{ confirmationMatrix(symbol: "BTCUSDT") { symbol } }').cost, 'default: three intervals computed on demand').toBe(1210);
    expect(cost('{ confirmationMatrix(symbol: "BTCUSDT", intervals: [I5M, I1H]) { symbol } }').cost, '1210 + 2 × 400').toBe(2010);
  });
});
