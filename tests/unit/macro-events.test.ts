import { describe, expect, it } from 'vitest';
import { nearHighImportanceEvent, upcomingMacroEvents } from '../../src/analyzers/macro-events.js';
import { applyMacroEventProximity, computeVolatilityAnalysis, MACRO_EVENT_RISK_SCALE } from '../../src/analyzers/volatility.js';
import type { VolatilityCandle } from '../../src/analyzers/volatility.types.js';
import { defaultMacroEvents } from '../../src/datasources/macro/macro-events-default.js';
import { mergeMacroEvents, parseMacroEventsCsv } from '../../src/datasources/macro/macro-events.js';
import type { MacroEvent } from '../../src/domain/macro.js';

const H = 3_600_000;
const ev = (kind: string, iso: string, importance: MacroEvent['importance'] = 'HIGH'): MacroEvent => ({ kind, title: `${kind} release`, time: Date.parse(iso), importance, source: 'test', confirmed: true });

describe('default macro calendar', () => {
  const events = defaultMacroEvents();

  it('holds the FOMC statements the Fed published for 2026 and 2027 at 14:00 New York time', () => {
    const fomc = events.filter((e) => e.kind === 'FOMC').map((e) => new Date(e.time).toISOString());
    expect(fomc).toEqual([
      '2026-01-28T19:00:00.000Z',
      '2026-03-18T18:00:00.000Z',
      '2026-04-29T18:00:00.000Z',
      '2026-06-17T18:00:00.000Z',
      '2026-07-29T18:00:00.000Z',
      '2026-09-16T18:00:00.000Z',
      '2026-10-28T18:00:00.000Z',
      '2026-12-09T19:00:00.000Z',
      '2027-01-27T19:00:00.000Z',
      '2027-03-17T18:00:00.000Z',
      '2027-04-28T18:00:00.000Z',
      '2027-06-09T18:00:00.000Z',
      '2027-07-28T18:00:00.000Z',
      '2027-09-15T18:00:00.000Z',
      '2027-10-27T18:00:00.000Z',
      '2027-12-08T19:00:00.000Z',
    ]);
    expect(events.filter((e) => e.kind === 'FOMC').every((e) => e.confirmed && e.importance === 'HIGH')).toBe(true);
  });

  it('has 24 CPI releases at 08:30 New York time, flagged unconfirmed', () => {
    const cpi = events.filter((e) => e.kind === 'CPI');
    expect(cpi).toHaveLength(24);
    for (const e of cpi) {
      const d = new Date(e.time);
      const hhmm = d.toISOString().slice(11, 16);
      expect(['12:30', '13:30'], `${d.toISOString()} is 08:30 EDT or EST`).toContain(hhmm);
      expect(e.confirmed).toBe(false);
    }
    // 2026-03-11 is after the DST switch of 2026-03-08 (EDT), 2026-11-12 after its end on 2026-11-01 (EST).
    expect(cpi.find((e) => e.title === 'CPI (February 2026)')!.time).toBe(Date.parse('2026-03-11T12:30:00Z'));
    expect(cpi.find((e) => e.title === 'CPI (October 2026)')!.time).toBe(Date.parse('2026-11-12T13:30:00Z'));
  });

  it('is ascending by time', () => {
    expect(events.map((e) => e.time)).toEqual([...events.map((e) => e.time)].sort((a, b) => a - b));
  });
});

describe('macro events CSV (MACRO_EVENTS_URL)', () => {
  it('parses rows with quoted commas, offsets and an optional source', () => {
    const rows = parseMacroEventsCsv('time,kind,title,importance,source\n2026-12-17T13:15:00Z,ECB,"ECB decision, press conference",high,https://www.ecb.europa.eu\n2026-12-18T08:30:00-05:00,PCE,PCE prices,MEDIUM\n');
    expect(rows).toEqual([
      { kind: 'ECB', title: 'ECB decision, press conference', time: Date.parse('2026-12-17T13:15:00Z'), importance: 'HIGH', source: 'https://www.ecb.europa.eu', confirmed: true },
      { kind: 'PCE', title: 'PCE prices', time: Date.parse('2026-12-18T13:30:00Z'), importance: 'MEDIUM', source: 'MACRO_EVENTS_URL', confirmed: true },
    ]);
  });

  it.each([
    ['a wrong header', 'when,kind,title,importance\n', /line 1 must be the header/],
    ['a time without zone', 'time,kind,title,importance\n2026-12-17T13:15:00,ECB,x,HIGH', /line 2: "2026-12-17T13:15:00" is not an ISO 8601 time with Z or an offset/],
    ['an unknown importance', 'time,kind,title,importance\n2026-12-17T13:15:00Z,ECB,x,HUGE', /line 2: importance "HUGE" must be LOW, MEDIUM or HIGH/],
    ['too few fields', 'time,kind,title,importance\n2026-12-17T13:15:00Z,ECB', /line 2: expected 4 or 5 fields, got 2/],
  ])('rejects %s', (_name, text, message) => {
    expect(() => parseMacroEventsCsv(text)).toThrow(message);
  });

  it('merges over the default calendar: same kind and time replaces, others are added', () => {
    const fix = { ...ev('FOMC', '2026-12-09T19:00:00Z'), title: 'FOMC (moved title)' };
    const merged = mergeMacroEvents(defaultMacroEvents(), [fix, ev('ECB', '2026-12-17T13:15:00Z')]);
    expect(merged).toHaveLength(defaultMacroEvents().length + 1);
    expect(merged.find((e) => e.kind === 'FOMC' && e.time === fix.time)!.title).toBe('FOMC (moved title)');
  });
});

describe('event timing', () => {
  const events = [ev('CPI', '2026-12-10T13:30:00Z'), ev('FOMC', '2026-12-09T19:00:00Z'), ev('PMI', '2026-12-09T15:00:00Z', 'MEDIUM')];
  const now = Date.parse('2026-12-09T12:00:00Z');

  it('lists the next events soonest first with the time to each', () => {
    expect(upcomingMacroEvents(events, now, { limit: 2 }).map((e) => [e.kind, e.inMs])).toEqual([
      ['PMI', 3 * H],
      ['FOMC', 7 * H],
    ]);
    expect(upcomingMacroEvents(events, Date.parse('2026-12-11T00:00:00Z')), 'all in the past').toEqual([]);
  });

  it('finds the nearest HIGH event within 24 h before or 2 h after, ignoring MEDIUM', () => {
    expect(nearHighImportanceEvent(events, now)!.kind, 'FOMC in 7 h beats CPI in 25.5 h (outside) and the MEDIUM PMI').toBe('FOMC');
    expect(nearHighImportanceEvent(events, Date.parse('2026-12-09T20:30:00Z'))!.inMs, '1.5 h after FOMC').toBe(-1.5 * H);
    expect(nearHighImportanceEvent([events[0]!], Date.parse('2026-12-09T13:29:00Z')), 'CPI 24 h 1 min away: not near').toBeNull();
  });
});

describe('volatility: macroEventProximity factor', () => {
  const candles: VolatilityCandle[] = Array.from({ length: 200 }, (_, i) => {
    const c = 100 + Math.sin(i / 3) * 2;
    return { openTime: i * H, closeTime: i * H + H - 1, open: c, high: c + 0.6 + (i % 7) * 0.1, low: c - 0.6, close: c + 0.1 };
  });
  const base = computeVolatilityAnalysis({ symbol: 'BTCUSDT', interval: '1h', intervalMs: H, candles });

  it('leaves the result unchanged (same object) when no HIGH event is near', () => {
    const far = [ev('FOMC', '2026-12-09T19:00:00Z')];
    expect(applyMacroEventProximity(base, far, Date.parse('2026-12-07T00:00:00Z'))).toBe(base);
    expect(applyMacroEventProximity(base, [], 0)).toBe(base);
  });

  it('adds the factor and halves the risk multiplier 5 h before an FOMC statement', () => {
    expect(base.riskMultiplier, 'the fixture has a risk multiplier').not.toBeNull();
    const out = applyMacroEventProximity(base, [ev('FOMC', '2026-12-09T19:00:00Z')], Date.parse('2026-12-09T14:00:00Z'));
    expect(out.riskMultiplier).toBeCloseTo(base.riskMultiplier! * MACRO_EVENT_RISK_SCALE, 6);
    const f = out.factors.at(-1)!;
    expect(f).toMatchObject({ name: 'macroEventProximity', value: 5, weight: 0, contribution: 0 });
    expect(f.note).toMatch(/FOMC release \(FOMC, HIGH\) in 5\.0 h at 2026-12-09T19:00:00\.000Z/);
    expect(out.regime, 'the regime reads realized data only').toBe(base.regime);
    expect(out.factors.slice(0, -1)).toEqual(base.factors);
  });
});
