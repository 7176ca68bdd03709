import type { AnalysisRecord } from '../../src/domain/analysis.js';

/** A FUNDING record for BTCUSDT on the simulated market, as the engine publishes it (fan-out tests and bench). */
export const fundingRecord = (asOf: number): AnalysisRecord => ({
  kind: 'FUNDING',
  symbol: 'BTCUSDT',
  result: { symbol: 'BTCUSDT', rate: 0.0001, predictedRate: 0.00012 },
  asOf,
  computedAt: asOf,
  methodologyVersion: 'funding/1.1.0',
  source: 'SIMULATED',
  venue: 'simulated',
});
