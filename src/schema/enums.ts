import { FundingSignals, FundingTrends } from '../analyzers/funding.types.js';
import { AnalysisKinds } from '../domain/analysis.js';
import { DataOrigins, LongShortKinds, type CandleInterval } from '../domain/market.js';
import { SourceStates, VenueStates } from '../datasources/market-data-source.js';
import { builder } from './builder.js';

export const DataOriginEnum = builder.enumType(DataOrigins, {
  name: 'DataOrigin',
  description: 'Where data came from. Nothing SIMULATED or REPLAY is ever labelled LIVE.',
});

export const AnalysisKindEnum = builder.enumType(AnalysisKinds, {
  name: 'AnalysisKind',
  description: 'One value per analysis perpgraph computes, streams and snapshots.',
});

export const FundingTrendEnum = builder.enumType(FundingTrends, { name: 'FundingTrend' });

export const FundingSignalEnum = builder.enumType(FundingSignals, {
  name: 'FundingSignal',
  description: 'Who funding says is crowded: positive funding means longs pay shorts.',
});

export const SourceStateEnum = builder.enumType(SourceStates, { name: 'SourceState' });

export const VenueStateEnum = builder.enumType(VenueStates, {
  name: 'VenueState',
  description: 'OK; DEGRADED (recent failures); CIRCUIT_OPEN (paused after repeated failures or a 429); BANNED (418, until blockedUntil); DOWN.',
});

export const HealthStatuses = { OK: 'OK', DEGRADED: 'DEGRADED', DOWN: 'DOWN' } as const;
export type HealthStatus = (typeof HealthStatuses)[keyof typeof HealthStatuses];
export const HealthStatusEnum = builder.enumType(HealthStatuses, { name: 'HealthStatus' });

export const TradeSideEnum = builder.enumType('TradeSide', {
  values: ['BUY', 'SELL'] as const,
  description: 'Taker side of a trade; order side of a liquidation.',
});

/** GraphQL enum names cannot start with a digit, so intervals are spelled I1M, I1H, ... */
export const CandleIntervalEnum = builder.enumType('CandleInterval', {
  description: 'Candle interval: I1M = 1 minute, I1H = 1 hour, I1D = 1 day, I1W = 1 week.',
  values: {
    I1M: { value: '1m' },
    I3M: { value: '3m' },
    I5M: { value: '5m' },
    I15M: { value: '15m' },
    I30M: { value: '30m' },
    I1H: { value: '1h' },
    I2H: { value: '2h' },
    I4H: { value: '4h' },
    I6H: { value: '6h' },
    I8H: { value: '8h' },
    I12H: { value: '12h' },
    I1D: { value: '1d' },
    I1W: { value: '1w' },
  } as const satisfies Record<string, { value: CandleInterval }>,
});

export const LongShortKindEnum = builder.enumType(LongShortKinds, {
  name: 'LongShortKind',
  description: 'GLOBAL_ACCOUNTS: all accounts; TOP_ACCOUNTS / TOP_POSITIONS: top 20 % by margin, by account count / by position size.',
});

export const OptionKindEnum = builder.enumType('OptionKind', { values: ['CALL', 'PUT'] as const });
