import { z } from 'zod';
import { bracketTableFor } from '../analyzers/liquidation-brackets.js';
import { computePortfolioRisk, PORTFOLIO_RISK_METHODOLOGY_VERSION } from '../analyzers/portfolio-risk.js';
import { computePositionPlan, POSITION_PLAN_METHODOLOGY_VERSION } from '../analyzers/position-plan.js';
import type { PlanVolatility, PortfolioCorrelations, PortfolioPositionInput } from '../analyzers/position-plan.types.js';
import type { CorrelationAnalysis } from '../analyzers/correlation.types.js';
import type { VolatilityAnalysis } from '../analyzers/volatility.types.js';
import type { GraphQLContext } from '../context.js';
import type { TickerRecord } from '../domain/analysis.js';
import { CORRELATION_KEY } from '../engine/definitions/correlation.js';
import { AppError, ErrorCodes } from '../errors.js';
import { builder } from '../schema/builder.js';
import { AnalysisMetaRef, type AnalysisMeta } from '../schema/refs.js';
import {
  DirectionConcentrationRef,
  DrawdownGuardRef,
  PlanBracketRef,
  PlanFactorRef,
  PlanLeverageRef,
  PlanTargetRef,
  PortfolioCorrelationSourceEnum,
  PortfolioPairRef,
  PortfolioPositionRiskRef,
  PortfolioRiskRef,
  POSITION_PLAN_LIMITS,
  PositionInputRef,
  PositionPlanInputRef,
  PositionPlanRef,
  PriceSourceEnum,
  PositionSideEnum,
  type PortfolioRiskResult,
  type PositionPlanResult,
} from '../schema/refs-position-plan.js';
import { metaOf, requireSymbol } from './shared.js';

// --- Object types ---

PlanFactorRef.implement({
  description: 'One number of a plan: its value, the formula with the inputs filled in, and what it means.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Stable machine name, e.g. riskBudget, maxSafeLeverage.' }),
    value: t.exposeFloat('value', { nullable: true, description: 'The number (units in the note); null when it could not be computed (the note says why).' }),
    formula: t.exposeString('formula', { description: 'How it was computed, with the inputs filled in.' }),
    note: t.exposeString('note', { description: 'Plain-language explanation.' }),
  }),
});

PlanLeverageRef.implement({
  description: 'Margin and liquidation of the planned position at one leverage (isolated margin, Binance formula and brackets).',
  fields: (t) => ({
    leverage: t.exposeInt('leverage', { description: 'Leverage (whole number).' }),
    margin: t.exposeFloat('margin', { description: 'Initial margin = notional / leverage (quote currency).' }),
    marginOfEquityPct: t.exposeFloat('marginOfEquityPct', { description: 'margin / equity × 100, percent.' }),
    liquidationPrice: t.exposeFloat('liquidationPrice', { description: 'Isolated-margin liquidation price at this leverage (quote currency; 0 or below for a long means never).' }),
    liquidationDistancePct: t.exposeFloat('liquidationDistancePct', { description: '|liquidation − entry| / entry × 100, percent.' }),
    beyondStop: t.exposeFloat('beyondStop', { description: 'How far beyond the stop the liquidation lies (quote currency); at least liquidationBuffer.' }),
    affordable: t.exposeBoolean('affordable', { description: 'margin ≤ equity: the account can post this margin.' }),
  }),
});

PlanTargetRef.implement({
  description: 'A take-profit price and its reward in units of the risk R.',
  fields: (t) => ({
    price: t.exposeFloat('price', { description: 'Target price (quote currency).' }),
    rMultiple: t.exposeFloat('rMultiple', { description: '|target − entry| / |entry − stop|: reward per unit of risk (2 = twice what the stop costs).' }),
    reward: t.exposeFloat('reward', { description: 'quantity × |target − entry| (quote currency).' }),
    distancePct: t.exposeFloat('distancePct', { description: '|target − entry| / entry × 100, percent.' }),
  }),
});

PlanBracketRef.implement({
  description: 'The Binance maintenance-margin bracket of the planned notional (the tables the liquidation heatmap uses).',
  fields: (t) => ({
    table: t.exposeString('table', { description: 'Bracket table, e.g. Binance BTCUSDT.' }),
    tableAsOf: t.exposeString('tableAsOf', { description: 'Which published version of the table.' }),
    bracket: t.exposeInt('bracket', { description: 'Bracket number (1 = smallest notionals).' }),
    maxLeverage: t.exposeInt('maxLeverage', { description: 'Highest leverage the bracket allows.' }),
    maintenanceMarginRate: t.exposeFloat('maintenanceMarginRate', { description: 'Maintenance margin rate, fraction (0.004 means 4 in a thousand).' }),
    maintenanceAmount: t.exposeFloat('maintenanceAmount', { description: 'Maintenance amount (cum) deducted from notional × rate (quote currency).' }),
  }),
});

DrawdownGuardRef.implement({
  description: 'Size multiplier from the drawdown below peak equity: < 5 → 1, 5..10 → 0.75, 10..20 → 0.5, from 20 → 0.25 (drawdown in percent).',
  fields: (t) => ({
    peakEquity: t.exposeFloat('peakEquity', { description: 'Peak equity given (quote currency).' }),
    equity: t.exposeFloat('equity', { description: 'Current equity (quote currency).' }),
    drawdownPct: t.exposeFloat('drawdownPct', { description: '(peak − equity) / peak × 100, percent.' }),
    multiplier: t.exposeFloat('multiplier', { description: 'Multiply new position sizes by this (0..1).' }),
    step: t.exposeString('step', { description: 'The schedule step applied, e.g. 10 % ≤ drawdown < 20 % → 0.5.' }),
    recoveryGainPct: t.exposeFloat('recoveryGainPct', { description: 'Gain that recovers the drawdown, percent: d / (1 − d) × 100.' }),
  }),
});

PositionPlanRef.implement({
  description:
    'A volatility-based position plan: size from the risk to the stop, scaled by the volatility risk multiplier and the drawdown guard; margin and liquidation per leverage; R multiples. Read-only: it plans, it never places orders.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    side: t.field({ type: PositionSideEnum, description: 'LONG or SHORT.', resolve: (p) => p.side }),
    entry: t.exposeFloat('entry', { description: 'Entry price used (quote currency).' }),
    entrySource: t.field({ type: PriceSourceEnum, description: 'INPUT (given) or MARKET (the last traded price).', resolve: (p) => p.entrySource }),
    stop: t.exposeFloat('stop', { description: 'Stop price (quote currency).' }),
    stopDistance: t.exposeFloat('stopDistance', { description: '|entry − stop| (quote currency per unit of base asset).' }),
    stopDistancePct: t.exposeFloat('stopDistancePct', { description: 'stopDistance / entry × 100, percent.' }),
    equity: t.exposeFloat('equity', { description: 'Account equity given (quote currency).' }),
    riskPct: t.exposeFloat('riskPct', { description: 'Share of equity the stop may cost, percent, as asked.' }),
    riskBudget: t.exposeFloat('riskBudget', { description: 'equity × riskPct / 100 (quote currency): the loss at the stop before multipliers.' }),
    baseQuantity: t.exposeFloat('baseQuantity', { description: 'riskBudget / stopDistance (base asset): the size before multipliers.' }),
    volatilityMultiplier: t.exposeFloat('volatilityMultiplier', {
      nullable: true,
      description: 'VOLATILITY (1 h) riskMultiplier applied to the size, capped at 1 unless allowUpsize; null when unavailable (no result, warming up or stale): the size is then unscaled and volatilityScaled is false.',
    }),
    volatilityMultiplierRaw: t.exposeFloat('volatilityMultiplierRaw', { nullable: true, description: 'The analysis riskMultiplier before the cap; null when unavailable.' }),
    volatilityRegime: t.exposeString('volatilityRegime', { nullable: true, description: 'Volatility regime of the analysis (STABLE, HIGH_VOL, EXPLOSIVE, EXTREME); null when unavailable.' }),
    volatilityScaled: t.exposeBoolean('volatilityScaled', { description: 'True when the size is scaled by volatility; false when the multiplier was unavailable.' }),
    volatilityNote: t.exposeString('volatilityNote', { description: 'Which multiplier was used, or why none was.' }),
    drawdown: t.field({ type: DrawdownGuardRef, nullable: true, description: 'Drawdown guard; null unless peakEquity was given.', resolve: (p) => p.drawdown }),
    sizeMultiplier: t.exposeFloat('sizeMultiplier', { description: '(volatilityMultiplier or 1) × (drawdown multiplier or 1).' }),
    quantity: t.exposeFloat('quantity', { description: 'baseQuantity × sizeMultiplier: the size to plan (base asset).' }),
    notional: t.exposeFloat('notional', { description: 'quantity × entry (quote currency); independent of leverage.' }),
    riskAmount: t.exposeFloat('riskAmount', { description: 'quantity × stopDistance: the loss at the stop (quote currency; fees, funding and slippage aside).' }),
    riskAmountPct: t.exposeFloat('riskAmountPct', { description: 'riskAmount / equity × 100, percent.' }),
    bracket: t.field({ type: PlanBracketRef, description: 'Maintenance bracket of the notional.', resolve: (p) => p.bracket }),
    liquidationBuffer: t.exposeFloat('liquidationBuffer', { description: 'Least gap between stop and liquidation (quote currency): max(liquidationBufferPct of entry, liquidationBufferAtr × ATR).' }),
    maxSafeLeverage: t.exposeInt('maxSafeLeverage', { description: 'Largest whole leverage whose liquidation lies beyond the stop by at least liquidationBuffer, within the bracket maximum.' }),
    minLeverageForEquity: t.exposeFloat('minLeverageForEquity', { description: 'notional / equity: below this leverage the margin exceeds the equity.' }),
    leverages: t.field({ type: [PlanLeverageRef], description: 'Margin and liquidation per leverage, ascending.', resolve: (p) => p.leverages }),
    targets: t.field({ type: [PlanTargetRef], description: 'The targets asked for, in the order given, with R multiples.', resolve: (p) => p.targets }),
    factors: t.field({ type: [PlanFactorRef], description: 'Every number of the plan with its formula and meaning.', resolve: (p) => p.factors }),
    notes: t.exposeStringList('notes', { description: 'Assumptions and warnings in plain language.' }),
    methodologyVersion: t.exposeString('methodologyVersion', { description: 'Version of the method, e.g. position-plan/1.0.0.' }),
    priceMeta: t.field({ type: AnalysisMetaRef, nullable: true, description: 'Provenance and freshness of the market price used as the entry; null when the entry was given.', resolve: (p) => p.priceMeta }),
    volatilityMeta: t.field({ type: AnalysisMetaRef, nullable: true, description: 'Provenance and freshness of the VOLATILITY result used; null when there was none.', resolve: (p) => p.volatilityMeta }),
  }),
});

PortfolioPairRef.implement({
  description: 'The correlation used for one pair of positions.',
  fields: (t) => ({
    a: t.exposeInt('a', { description: 'Index of the first position in positions.' }),
    b: t.exposeInt('b', { description: 'Index of the second position in positions.' }),
    symbolA: t.exposeString('symbolA', { description: 'Symbol of the first position.' }),
    symbolB: t.exposeString('symbolB', { description: 'Symbol of the second position.' }),
    correlation: t.exposeFloat('correlation', { description: 'Return correlation used, −1..1 (ASSUMED_WORST: side of a × side of b, so the losses are perfectly correlated).' }),
    source: t.field({ type: PortfolioCorrelationSourceEnum, description: 'MEASURED, SAME_SYMBOL or ASSUMED_WORST.', resolve: (p) => p.source }),
  }),
});

PortfolioPositionRiskRef.implement({
  description: 'One position of the portfolio and its part of the risk.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    side: t.field({ type: PositionSideEnum, description: 'LONG or SHORT.', resolve: (p) => p.side }),
    quantity: t.exposeFloat('quantity', { description: 'Size (base asset).' }),
    price: t.exposeFloat('price', { description: 'Price the risk is measured from (quote currency).' }),
    priceSource: t.field({ type: PriceSourceEnum, description: 'INPUT (given) or MARKET (the last traded price).', resolve: (p) => p.priceSource }),
    stop: t.exposeFloat('stop', { description: 'Stop price (quote currency).' }),
    notional: t.exposeFloat('notional', { description: 'quantity × price (quote currency).' }),
    risk: t.exposeFloat('risk', { description: 'quantity × |price − stop|: the loss if the stop is hit (quote currency).' }),
    riskPct: t.exposeFloat('riskPct', { description: 'risk / equity × 100, percent.' }),
    riskShare: t.exposeFloat('riskShare', { description: 'risk / totalRisk, fraction.' }),
    correlatedRiskShare: t.exposeFloat('correlatedRiskShare', {
      nullable: true,
      description: 'Euler share of the correlated risk, w_i (Cw)_i / wᵀCw, fraction (shares sum to 1; a hedge is negative); null when the correlated risk is 0.',
    }),
    notionalShare: t.exposeFloat('notionalShare', { description: 'notional / gross notional, fraction.' }),
    priceMeta: t.field({ type: AnalysisMetaRef, nullable: true, description: 'Provenance of the market price used; null when the price was given.', resolve: (p) => p.priceMeta }),
  }),
});

DirectionConcentrationRef.implement({
  description: 'How the notional splits between longs and shorts.',
  fields: (t) => ({
    longNotional: t.exposeFloat('longNotional', { description: 'Σ notional of the longs (quote currency).' }),
    shortNotional: t.exposeFloat('shortNotional', { description: 'Σ notional of the shorts (quote currency).' }),
    grossNotional: t.exposeFloat('grossNotional', { description: 'long + short notional (quote currency).' }),
    netNotional: t.exposeFloat('netNotional', { description: 'long − short notional (quote currency; negative = net short).' }),
    longShare: t.exposeFloat('longShare', { nullable: true, description: 'longNotional / grossNotional, fraction; null without positions.' }),
    shortShare: t.exposeFloat('shortShare', { nullable: true, description: 'shortNotional / grossNotional, fraction; null without positions.' }),
    grossLeverage: t.exposeFloat('grossLeverage', { description: 'grossNotional / equity (multiple of equity).' }),
    netLeverage: t.exposeFloat('netLeverage', { description: 'netNotional / equity (multiple of equity, negative = net short).' }),
    dominantSide: t.field({ type: PositionSideEnum, nullable: true, description: 'The side holding more than half the gross notional; null when balanced or empty.', resolve: (c) => c.dominantSide }),
  }),
});

PortfolioRiskRef.implement({
  description:
    'Portfolio heat: the loss if every stop is hit against equity, plain and correlation-adjusted, per-position contributions, concentration by direction and the drawdown guard. Read-only: it measures, it never places orders.',
  fields: (t) => ({
    equity: t.exposeFloat('equity', { description: 'Account equity given (quote currency).' }),
    totalRisk: t.exposeFloat('totalRisk', { description: 'Σ risk: the loss if every stop is hit (quote currency).' }),
    heatPct: t.exposeFloat('heatPct', { description: 'totalRisk / equity × 100, percent: the worst case, all stops at once.' }),
    correlatedRisk: t.exposeFloat('correlatedRisk', { description: '√(wᵀCw) with w = side × risk and C the return correlations (quote currency); at most totalRisk.' }),
    correlatedHeatPct: t.exposeFloat('correlatedHeatPct', { description: 'correlatedRisk / equity × 100, percent.' }),
    diversificationRatio: t.exposeFloat('diversificationRatio', { nullable: true, description: 'correlatedRisk / totalRisk, 0..1 (1: no diversification credit); null without risk.' }),
    unknownCorrelations: t.exposeInt('unknownCorrelations', { description: 'Pairs whose correlation was unknown and assumed worst.' }),
    pairs: t.field({ type: [PortfolioPairRef], description: 'The correlation used for every pair of positions.', resolve: (r) => r.pairs }),
    positions: t.field({ type: [PortfolioPositionRiskRef], description: 'Per-position risk and contributions, in the order given.', resolve: (r) => r.positions }),
    concentration: t.field({ type: DirectionConcentrationRef, description: 'Long versus short notional.', resolve: (r) => r.concentration }),
    drawdown: t.field({ type: DrawdownGuardRef, nullable: true, description: 'Drawdown guard; null unless peakEquity was given.', resolve: (r) => r.drawdown }),
    factors: t.field({ type: [PlanFactorRef], description: 'The headline numbers with their formulas.', resolve: (r) => r.factors }),
    notes: t.exposeStringList('notes', { description: 'Assumptions and warnings in plain language.' }),
    methodologyVersion: t.exposeString('methodologyVersion', { description: 'Version of the method, e.g. portfolio-risk/1.0.0.' }),
    correlationMeta: t.field({ type: AnalysisMetaRef, nullable: true, description: 'Provenance and freshness of the CORRELATION result used; null when there was none.', resolve: (r) => r.correlationMeta }),
  }),
});

// --- Inputs of the analyses ---

async function marketPrice(ctx: GraphQLContext, symbol: string): Promise<{ price: number; meta: AnalysisMeta }> {
  const ticker: TickerRecord | undefined = await ctx.services.ticker(symbol);
  if (!ticker) throw new AppError(ErrorCodes.NOT_READY, `No price for ${symbol} yet: give the price explicitly or retry once the market source has delivered one`, { symbol });
  return { price: ticker.price, meta: metaOf(ctx, { ...ticker, methodologyVersion: 'ticker/1' }) };
}

async function planVolatility(ctx: GraphQLContext, symbol: string): Promise<{ volatility: PlanVolatility | null; meta: AnalysisMeta | null }> {
  const record = await ctx.services.latest('VOLATILITY', symbol);
  if (!record) return { volatility: null, meta: null };
  const meta = metaOf(ctx, record);
  const v = record.result as VolatilityAnalysis;
  return { volatility: { riskMultiplier: v.riskMultiplier, regime: v.regime, atr: v.atr, stale: meta.stale }, meta };
}

async function portfolioCorrelations(ctx: GraphQLContext): Promise<{ correlations: PortfolioCorrelations | null; meta: AnalysisMeta | null; note: string | null }> {
  const record = await ctx.services.latest('CORRELATION', CORRELATION_KEY);
  if (!record) return { correlations: null, meta: null, note: null };
  const meta = metaOf(ctx, record);
  if (meta.stale) return { correlations: null, meta, note: 'The CORRELATION result is stale (its inputs are overdue): its correlations are not used.' };
  const c = record.result as CorrelationAnalysis;
  return { correlations: { symbols: c.symbols, pearson: c.pearson }, meta, note: null };
}

// --- Queries ---

builder.queryField('positionPlan', (t) =>
  t.field({
    type: PositionPlanRef,
    description:
      'Plans one trade: size from the risk to the stop scaled by volatility, margin and liquidation per leverage, max safe leverage, R multiples. Refuses (BAD_USER_INPUT with extensions.reason) a stop on the wrong side, a leverage liquidated before the stop, or a target on the loss side. Read-only: it never places orders.',
    args: { input: t.arg({ type: PositionPlanInputRef, required: true, description: 'The trade idea to size.' }) },
    resolve: async (_root, { input }, ctx): Promise<PositionPlanResult> => {
      const symbol = requireSymbol(ctx, input.symbol);
      const market = input.entry == null ? await marketPrice(ctx, symbol) : null;
      const { volatility, meta: volatilityMeta } = await planVolatility(ctx, symbol);
      const plan = computePositionPlan({
        symbol,
        side: input.side,
        equity: input.equity,
        riskPct: input.riskPct,
        entry: input.entry ?? market!.price,
        entrySource: input.entry == null ? 'MARKET' : 'INPUT',
        stop: input.stop,
        targets: input.targets ?? [],
        leverages: input.leverages ?? null,
        volatility,
        allowUpsize: input.allowUpsize,
        peakEquity: input.peakEquity ?? null,
        bracketTable: bracketTableFor(symbol),
        thresholds: { liquidationBufferPct: input.liquidationBufferPct, liquidationBufferAtr: input.liquidationBufferAtr },
      });
      return { ...plan, priceMeta: market?.meta ?? null, volatilityMeta, methodologyVersion: POSITION_PLAN_METHODOLOGY_VERSION };
    },
  }),
);

builder.queryField('portfolioRisk', (t) =>
  t.field({
    type: PortfolioRiskRef,
    description:
      'Portfolio heat of open or planned positions: loss at the stops against equity, correlation-adjusted with the CORRELATION analysis (unknown correlations assumed worst), concentration by direction and the drawdown guard. Read-only: it never places orders.',
    args: {
      positions: t.arg({
        type: [PositionInputRef],
        required: true,
        validate: z.array(z.unknown()).max(POSITION_PLAN_LIMITS.maxPositions, `at most ${POSITION_PLAN_LIMITS.maxPositions} positions`),
        description: `The positions, at most ${POSITION_PLAN_LIMITS.maxPositions}.`,
      }),
      equity: t.arg.float({
        required: true,
        validate: z.number().gt(0, 'equity must be greater than 0').max(POSITION_PLAN_LIMITS.maxEquity, `equity must be at most ${POSITION_PLAN_LIMITS.maxEquity}`),
        description: 'Account equity in the quote currency, greater than 0.',
      }),
      peakEquity: t.arg.float({
        validate: z.number().gt(0, 'peakEquity must be greater than 0').max(POSITION_PLAN_LIMITS.maxEquity, `peakEquity must be at most ${POSITION_PLAN_LIMITS.maxEquity}`).nullish(),
        description: 'Highest equity so far (at least equity); when given, the drawdown guard says what to multiply new sizes by.',
      }),
    },
    resolve: async (_root, args, ctx): Promise<PortfolioRiskResult> => {
      const symbols = args.positions.map((p) => requireSymbol(ctx, p.symbol));
      const prices = await Promise.all(args.positions.map((p, i) => (p.price == null ? marketPrice(ctx, symbols[i]!) : null)));
      const positions: PortfolioPositionInput[] = args.positions.map((p, i) => ({
        symbol: symbols[i]!,
        side: p.side,
        quantity: p.quantity,
        price: p.price ?? prices[i]!.price,
        priceSource: p.price == null ? 'MARKET' : 'INPUT',
        stop: p.stop,
      }));
      const { correlations, meta, note } = await portfolioCorrelations(ctx);
      const risk = computePortfolioRisk({ positions, equity: args.equity, peakEquity: args.peakEquity ?? null, correlations });
      if (note) risk.notes.unshift(note);
      return {
        ...risk,
        positions: risk.positions.map((p, i) => ({ ...p, priceMeta: prices[i]?.meta ?? null })),
        correlationMeta: meta,
        methodologyVersion: PORTFOLIO_RISK_METHODOLOGY_VERSION,
      };
    },
  }),
);
