import { FundingSignals, FundingTrends } from '../analyzers/funding.types.js';
import { AnalysisKinds } from '../domain/analysis.js';
import { DataOrigins } from '../domain/market.js';
import { SourceStates } from '../datasources/market-data-source.js';
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

export const HealthStatuses = { OK: 'OK', DEGRADED: 'DEGRADED', DOWN: 'DOWN' } as const;
export type HealthStatus = (typeof HealthStatuses)[keyof typeof HealthStatuses];
export const HealthStatusEnum = builder.enumType(HealthStatuses, { name: 'HealthStatus' });
