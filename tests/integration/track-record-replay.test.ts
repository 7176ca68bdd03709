import { describe, expect, it } from 'vitest';
import { gradeConfirmation, gradeScenario } from '../../src/analyzers/track-record.js';
import { FUTURES_BTC_1H, loadFreqtradeJson, loadSpotCsv, recordingsPresent, replayAt, SPOT_BTC_1H } from '../support/confirmation-replay.js';

const H = 3_600_000;

/**
 * The backtest of bench/track-record-replay.ts computes the confirmation and the scenarios at bar k from
 * bars 0..k only. Proven here on the real recordings: appending later bars never changes the value at k.
 */
describe.skipIf(!recordingsPresent())('track-record replay on the recordings: no look-ahead', () => {
  const spot = loadSpotCsv(SPOT_BTC_1H, 'BTCUSDT');
  const futures = loadFreqtradeJson(FUTURES_BTC_1H, 'BTCUSDT');

  it.each([
    ['spot', 250],
    ['spot', 600],
    ['spot', 900],
    ['futures', 400],
    ['futures', 700],
  ] as const)('%s bar %i: computed with bars 0..k equals computed with bars 0..k+50, and with the whole recording', (which, k) => {
    const all = which === 'spot' ? spot : futures;
    const prefix = replayAt(all.slice(0, k + 1), k);
    const longer = replayAt(all.slice(0, k + 51), k);
    const whole = replayAt(all, k);
    expect(prefix.confirmation).not.toBeNull();
    expect(prefix.scenarios).not.toBeNull();
    expect(longer).toEqual(prefix);
    expect(whole).toEqual(prefix);
    expect(prefix.asOf).toBe(all[k]!.closeTime);
    // Not vacuous: the next bar does change the reading.
    const next = replayAt(all.slice(0, k + 2), k + 1);
    expect(next.confirmation!.score).not.toBe(prefix.confirmation!.score);
  });

  it('grades a replayed record on the bars after it only: the 24 h forward return is close[k+24] / close[k] − 1', () => {
    const k = 500;
    const bar = replayAt(spot, k);
    const grade = gradeConfirmation(bar.confirmation!.signal, bar.asOf, 24 * H, spot)!;
    expect(grade.forwardReturn).toBeCloseTo(spot[k + 24]!.close / spot[k]!.close - 1, 12);
    // A scenario is graded the same whether the bars before k are given or not (they open before asOf).
    for (const s of bar.scenarios!.scenarios) expect(gradeScenario(s, bar.asOf, spot)).toBe(gradeScenario(s, bar.asOf, spot.slice(k + 1)));
  });
});
