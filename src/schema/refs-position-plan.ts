import { z } from 'zod';
import { PositionSides } from '../analyzers/liquidation-heatmap.types.js';
import {
  CorrelationSources,
  type DirectionConcentration,
  type DrawdownGuard,
  type LeverageOption,
  type PlanFactor,
  type PlanTarget,
  type PortfolioPair,
  type PortfolioPositionRisk,
  type PortfolioRisk,
  type PositionPlan,
} from '../analyzers/position-plan.types.js';
import { builder } from './builder.js';
import type { AnalysisMeta } from './refs.js';

/** Input bounds of positionPlan and portfolioRisk (validated before any resolver runs, BAD_USER_INPUT). */
export const POSITION_PLAN_LIMITS = {
  maxEquity: 1e12,
  maxPrice: 1e9,
  maxQuantity: 1e12,
  maxRiskPct: 10,
  maxTargets: 10,
  maxLeverages: 12,
  maxLeverage: 125,
  maxPositions: 50,
  maxBufferPct: 20,
  maxBufferAtr: 10,
} as const;
const L = POSITION_PLAN_LIMITS;

export type PositionPlanResult = PositionPlan & { priceMeta: AnalysisMeta | null; volatilityMeta: AnalysisMeta | null; methodologyVersion: string };
export type PortfolioPositionResult = PortfolioPositionRisk & { priceMeta: AnalysisMeta | null };
export type PortfolioRiskResult = Omit<PortfolioRisk, 'positions'> & { positions: PortfolioPositionResult[]; correlationMeta: AnalysisMeta | null; methodologyVersion: string };

/** Refs, enums and inputs of the position plan and portfolio risk (implemented in src/resolvers/position-plan.ts). */
export const PositionPlanRef = builder.objectRef<PositionPlanResult>('PositionPlan');
export const PlanFactorRef = builder.objectRef<PlanFactor>('PlanFactor');
export const PlanLeverageRef = builder.objectRef<LeverageOption>('PlanLeverage');
export const PlanTargetRef = builder.objectRef<PlanTarget>('PlanTarget');
export const PlanBracketRef = builder.objectRef<PositionPlan['bracket']>('PlanBracket');
export const DrawdownGuardRef = builder.objectRef<DrawdownGuard>('DrawdownGuard');
export const PortfolioRiskRef = builder.objectRef<PortfolioRiskResult>('PortfolioRisk');
export const PortfolioPositionRiskRef = builder.objectRef<PortfolioPositionResult>('PortfolioPositionRisk');
export const PortfolioPairRef = builder.objectRef<PortfolioPair>('PortfolioPair');
export const DirectionConcentrationRef = builder.objectRef<DirectionConcentration>('DirectionConcentration');

export const PositionSideEnum = builder.enumType(PositionSides, {
  name: 'PositionSide',
  description: 'Side of a planned or held position.',
  values: {
    LONG: { description: 'Long: profits when the price rises; its stop lies below the entry.' },
    SHORT: { description: 'Short: profits when the price falls; its stop lies above the entry.' },
  },
});

export const PriceSourceEnum = builder.enumType({ INPUT: 'INPUT', MARKET: 'MARKET' } as const, {
  name: 'PriceSource',
  description: 'Where a price of a plan came from.',
  values: {
    INPUT: { description: 'Given by the caller.' },
    MARKET: { description: 'Not given: the last traded price of the market (see priceMeta for its time and source).' },
  },
});

export const PortfolioCorrelationSourceEnum = builder.enumType(CorrelationSources, {
  name: 'PortfolioCorrelationSource',
  description: 'Where the correlation of a pair of positions came from.',
  values: {
    MEASURED: { description: 'Pearson correlation of 1 h log returns from the CORRELATION analysis (key ALL, window 168).' },
    SAME_SYMBOL: { description: 'Both positions are in the same symbol: correlation 1.' },
    ASSUMED_WORST: { description: 'Unknown (symbol outside the matrix, too few returns, no or stale result): the two losses are taken as perfectly correlated, no diversification or hedge credit.' },
  },
});

const price = (name: string) => z.number().gt(0, `${name} must be greater than 0`).max(L.maxPrice, `${name} must be at most ${L.maxPrice}`);
const equity = (name: string) => z.number().gt(0, `${name} must be greater than 0`).max(L.maxEquity, `${name} must be at most ${L.maxEquity}`);

export const PositionPlanInputRef = builder.inputType('PositionPlanInput', {
  description: 'A trade idea to size. The plan is read-only: perpgraph never places, changes or cancels orders.',
  fields: (t) => ({
    symbol: t.string({ required: true, description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).' }),
    side: t.field({ type: PositionSideEnum, required: true, description: 'LONG or SHORT.' }),
    equity: t.float({ required: true, validate: equity('equity'), description: `Account equity in the quote currency, greater than 0 and at most ${L.maxEquity}.` }),
    riskPct: t.float({
      required: true,
      defaultValue: 1,
      validate: z.number().gt(0, 'riskPct must be greater than 0').max(L.maxRiskPct, `riskPct must be at most ${L.maxRiskPct}`),
      description: `Share of equity the stop may cost, percent (1 = 1 %), greater than 0 and at most ${L.maxRiskPct}; default 1.`,
    }),
    entry: t.float({ validate: price('entry').nullish(), description: 'Entry price (quote currency); default the last traded price of the market.' }),
    stop: t.float({ required: true, validate: price('stop'), description: 'Stop price: below the entry for a LONG, above for a SHORT; otherwise the plan is refused (BAD_USER_INPUT, reason STOP_WRONG_SIDE).' }),
    targets: t.floatList({
      validate: z.array(price('target')).max(L.maxTargets, `at most ${L.maxTargets} targets`).nullish(),
      description: `Take-profit prices on the profit side of the entry, at most ${L.maxTargets}; each gets its R multiple.`,
    }),
    leverages: t.intList({
      validate: z.array(z.number().int().min(1, 'leverage must be at least 1').max(L.maxLeverage, `leverage must be at most ${L.maxLeverage}`)).max(L.maxLeverages, `at most ${L.maxLeverages} leverages`).nullish(),
      description: `Leverages to plan (1..${L.maxLeverage}, at most ${L.maxLeverages}); each must liquidate beyond the stop plus the buffer, else the plan is refused (reason LEVERAGE_LIQUIDATES_BEFORE_STOP). Default: 1, 2, 3, 5, 10, 20, 25, 50, 75, 100, 125 up to maxSafeLeverage.`,
    }),
    peakEquity: t.float({ validate: equity('peakEquity').nullish(), description: 'Highest equity so far (at least equity); when given, the drawdown guard scales the size.' }),
    allowUpsize: t.boolean({ required: true, defaultValue: false, description: 'Apply a volatility multiplier above 1 (calm market: size up). Default false: volatility only shrinks the risk asked for.' }),
    liquidationBufferPct: t.float({
      required: true,
      defaultValue: 0.5,
      validate: z.number().min(0, 'liquidationBufferPct must be at least 0').max(L.maxBufferPct, `liquidationBufferPct must be at most ${L.maxBufferPct}`),
      description: 'Least gap between stop and liquidation price, percent of the entry (default 0.5); the larger of this and liquidationBufferAtr applies.',
    }),
    liquidationBufferAtr: t.float({
      required: true,
      defaultValue: 0.5,
      validate: z.number().min(0, 'liquidationBufferAtr must be at least 0').max(L.maxBufferAtr, `liquidationBufferAtr must be at most ${L.maxBufferAtr}`),
      description: 'Least gap between stop and liquidation price in ATRs of the 1 h volatility analysis (default 0.5); ignored when no fresh ATR is known.',
    }),
  }),
});

export const PositionInputRef = builder.inputType('PositionInput', {
  description: 'One open or planned position of a portfolio.',
  fields: (t) => ({
    symbol: t.string({ required: true, description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).' }),
    side: t.field({ type: PositionSideEnum, required: true, description: 'LONG or SHORT.' }),
    quantity: t.float({
      required: true,
      validate: z.number().gt(0, 'quantity must be greater than 0').max(L.maxQuantity, `quantity must be at most ${L.maxQuantity}`),
      description: 'Position size in the base asset, greater than 0.',
    }),
    price: t.float({ validate: price('price').nullish(), description: 'Price the risk is measured from: the entry of a planned position or the current price of an open one; default the last traded price.' }),
    stop: t.float({ required: true, validate: price('stop'), description: 'Stop price; a stop the price has already crossed is refused (reason STOP_CROSSED).' }),
  }),
});
