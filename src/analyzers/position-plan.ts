import { bracketFor, liquidationPrice } from './liquidation-heatmap.js';
import { PositionSides, type BracketTable, type MaintenanceBracket, type PositionSide } from './liquidation-heatmap.types.js';
import {
  DEFAULT_DRAWDOWN_SCHEDULE,
  DEFAULT_POSITION_PLAN_THRESHOLDS,
  PlanRefusalReasons,
  PlanRefusedError,
  type DrawdownGuard,
  type DrawdownStep,
  type LeverageOption,
  type PlanFactor,
  type PlanTarget,
  type PositionPlan,
  type PositionPlanInput,
  type PositionPlanThresholds,
} from './position-plan.types.js';

/** Version of the method below; bump it whenever a number this analyzer produces would change. */
export const POSITION_PLAN_METHODOLOGY_VERSION = 'position-plan/1.0.0';

const fail = (message: string): never => {
  throw new Error(`computePositionPlan: ${message}`);
};

/** +1 for a long, −1 for a short: the sign of a price move that profits. */
export const sideSign = (side: PositionSide): 1 | -1 => (side === PositionSides.LONG ? 1 : -1);

/** Compact number for formulas and notes (6 significant digits, no exponent for ordinary sizes). */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e12)) return x.toExponential(4);
  return String(Number(x.toPrecision(6)));
}

/**
 * The drawdown guard: drawdown d = (peak − equity) / peak and the multiplier of the last schedule step
 * whose `fromDrawdownPct` ≤ d × 100. Refuses a peak below the equity (the peak includes the present).
 */
export function drawdownGuard(equity: number, peakEquity: number, schedule: readonly DrawdownStep[] = DEFAULT_DRAWDOWN_SCHEDULE): DrawdownGuard {
  if (!(equity > 0) || !Number.isFinite(equity)) throw new Error(`drawdownGuard: equity must be a positive finite number, got ${equity}`);
  if (peakEquity < equity) {
    throw new PlanRefusedError(PlanRefusalReasons.PEAK_BELOW_EQUITY, `peakEquity ${fmt(peakEquity)} is below the current equity ${fmt(equity)}; the peak is the highest equity so far, now included`, {
      peakEquity,
      equity,
    });
  }
  checkSchedule(schedule);
  const drawdownPct = ((peakEquity - equity) / peakEquity) * 100;
  let index = 0;
  for (let i = 0; i < schedule.length; i++) if (drawdownPct >= schedule[i]!.fromDrawdownPct) index = i;
  const step = schedule[index]!;
  const next = schedule[index + 1];
  const range = next ? `${fmt(step.fromDrawdownPct)} % ≤ drawdown < ${fmt(next.fromDrawdownPct)} %` : `drawdown ≥ ${fmt(step.fromDrawdownPct)} %`;
  const d = drawdownPct / 100;
  return { peakEquity, equity, drawdownPct, multiplier: step.multiplier, step: `${range} → ${fmt(step.multiplier)}`, recoveryGainPct: d >= 1 ? Number.POSITIVE_INFINITY : (d / (1 - d)) * 100 };
}

function checkSchedule(schedule: readonly DrawdownStep[]): void {
  if (schedule.length === 0) throw new Error('drawdownGuard: the schedule must not be empty');
  if (schedule[0]!.fromDrawdownPct !== 0) throw new Error(`drawdownGuard: the first step must start at 0 %, got ${schedule[0]!.fromDrawdownPct}`);
  schedule.forEach((s, i) => {
    if (!(s.multiplier >= 0 && s.multiplier <= 1)) throw new Error(`drawdownGuard: step ${i} multiplier must be in 0..1, got ${s.multiplier}`);
    if (i > 0 && !(s.fromDrawdownPct > schedule[i - 1]!.fromDrawdownPct)) throw new Error(`drawdownGuard: steps must ascend, step ${i} starts at ${s.fromDrawdownPct}`);
  });
}

/**
 * Largest leverage L (real, before rounding) whose isolated-margin liquidation price lies at or beyond
 * `limit` (the stop pushed out by the buffer), for a position of `notional` in `bracket`; Infinity when
 * no leverage reaches it. From {@link liquidationPrice} with c = cum / N, m = MMR, s = limit / entry:
 *
 *   long:  LP ≤ limit ⇔ 1/L ≥ 1 − c − s(1 − m)   (s clamped at 0: a liquidation price ≤ 0 never triggers)
 *   short: LP ≥ limit ⇔ 1/L ≥ s(1 + m) − 1 − c
 */
export function leverageLimit(side: PositionSide, entry: number, limit: number, bracket: Pick<MaintenanceBracket, 'maintenanceMarginRate' | 'maintenanceAmount'>, notional: number): number {
  const c = notional > 0 ? bracket.maintenanceAmount / notional : 0;
  const m = bracket.maintenanceMarginRate;
  const s = limit / entry;
  const denominator = side === PositionSides.LONG ? 1 - c - Math.max(s, 0) * (1 - m) : s * (1 + m) - 1 - c;
  return denominator <= 0 ? Number.POSITIVE_INFINITY : 1 / denominator;
}

/**
 * The largest whole leverage at which an isolated position of `notional` opened at `entry` liquidates at
 * or beyond `stop` pushed out by `buffer` (below it for a long, above for a short), within the maximum
 * leverage of the notional's maintenance bracket; null when even 1x liquidates first. Shared by the
 * position plan and anything else that recommends a leverage for a stop (scenarios).
 */
export function maxSafeLeverage(a: { side: PositionSide; entry: number; stop: number; notional: number; bracketTable: BracketTable; buffer: number }): {
  maxSafeLeverage: number | null;
  bracket: MaintenanceBracket;
  /** stop − buffer (long) or stop + buffer (short): the liquidation price must lie at or beyond it. */
  limit: number;
  /** The real-valued bound before flooring and the bracket cap (Infinity: no leverage reaches the limit). */
  rawLimit: number;
} {
  const bracket = bracketFor(a.bracketTable, a.notional);
  const limit = a.stop - sideSign(a.side) * a.buffer;
  const rawLimit = leverageLimit(a.side, a.entry, limit, bracket, a.notional);
  const whole = Math.min(Math.floor(rawLimit + 1e-9), bracket.maxLeverage);
  return { maxSafeLeverage: whole >= 1 ? whole : null, bracket, limit, rawLimit };
}

/** True when the liquidation price at `leverage` lies at or beyond `limit` on the loss side. */
function liquidatesBeyond(side: PositionSide, liq: number, limit: number): boolean {
  return side === PositionSides.LONG ? liq <= Math.max(limit, 0) : liq >= limit;
}

/**
 * A volatility-based position plan for one trade idea. It sizes the position so that the stop costs a
 * chosen share of equity, scales that size by the VOLATILITY analysis' risk multiplier (and by the
 * drawdown guard when a peak equity is given), and for each leverage gives the isolated margin and the
 * Binance liquidation price with the symbol's maintenance bracket, refusing leverages that would be
 * liquidated before the stop. It only plans; it never places an order.
 *
 * How to read it: `quantity` is what to trade, `riskAmount` what the stop costs, `maxSafeLeverage` the
 * highest leverage whose liquidation lies beyond the stop by the buffer, `targets[].rMultiple` the
 * reward per unit of risk. Every number has a `factors` entry with its formula.
 *
 * Method:
 * - riskBudget = equity × riskPct / 100; baseQuantity = riskBudget / |entry − stop| (fixed-fractional
 *   risk to the stop, e.g. Van Tharp's "position sizing" models, or the 1 % rule).
 * - volatility multiplier: the analysis' riskMultiplier = clamp(targetVol / realized vol, …), capped at 1
 *   unless `allowUpsize` (the risk asked for is a ceiling). Unavailable (no result, warming up, stale):
 *   the multiplier is null, the size is left unscaled and `volatilityScaled` is false with the reason.
 * - quantity = baseQuantity × volatility multiplier × drawdown multiplier; notional = quantity × entry.
 * - bracket: the maintenance bracket of `notional` in the symbol's Binance table (the same tables and
 *   liquidation formula as the liquidation heatmap); a bracket also caps the leverage.
 * - buffer = max(liquidationBufferPct % × entry, liquidationBufferAtr × ATR): room for stop slippage and
 *   for mark price (which liquidates) differing from last price (which triggers most stops).
 * - maxSafeLeverage = min(floor(leverageLimit(stop ∓ buffer)), bracket.maxLeverage).
 *
 * @see https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93 — Binance liquidation price (isolated).
 * @see https://www.binance.com/en/support/faq/360033162192 — maintenance margin brackets.
 */
export function computePositionPlan(input: Readonly<PositionPlanInput>): PositionPlan {
  const t: PositionPlanThresholds = { ...DEFAULT_POSITION_PLAN_THRESHOLDS, ...input.thresholds };
  validate(input, t);
  const { side, entry, stop, equity, riskPct } = input;
  const sign = sideSign(side);
  const factors: PlanFactor[] = [];
  const notes: string[] = [];
  const add = (name: string, value: number | null, formula: string, note: string) => factors.push({ name, value, formula, note });

  // --- Stop side ---
  if ((entry - stop) * sign <= 0) {
    const where = side === PositionSides.LONG ? 'below' : 'above';
    throw new PlanRefusedError(
      PlanRefusalReasons.STOP_WRONG_SIDE,
      `a ${side} stop must be ${where} the entry: stop ${fmt(stop)}, entry ${fmt(entry)}${input.entrySource === 'MARKET' ? ' (the current price)' : ''}`,
      { side, entry, stop },
    );
  }
  const stopDistance = Math.abs(entry - stop);
  const stopDistancePct = (stopDistance / entry) * 100;
  add('entry', entry, input.entrySource === 'MARKET' ? 'current price' : 'given', input.entrySource === 'MARKET' ? 'No entry given: the last traded price is used.' : 'Entry price as given.');
  add('stopDistance', stopDistance, `|${fmt(entry)} − ${fmt(stop)}|`, `Loss per unit of base asset if the stop fills at its price (${fmt(stopDistancePct)} % of the entry).`);

  // --- Size ---
  const riskBudget = (equity * riskPct) / 100;
  add('riskBudget', riskBudget, `${fmt(equity)} × ${fmt(riskPct)} / 100`, 'What the stop may cost before the volatility and drawdown multipliers (quote currency).');
  const baseQuantity = riskBudget / stopDistance;
  add('baseQuantity', baseQuantity, `${fmt(riskBudget)} / ${fmt(stopDistance)}`, 'Size at which hitting the stop costs exactly the risk budget (base asset).');

  const vol = volatilityMultiplier(input);
  add('volatilityMultiplier', vol.multiplier, vol.formula, vol.note);
  if (!vol.scaled) notes.push(`Size not scaled by volatility: ${vol.note}`);

  let drawdown: DrawdownGuard | null = null;
  if (input.peakEquity != null) {
    drawdown = drawdownGuard(equity, input.peakEquity, input.drawdownSchedule);
    add('drawdownMultiplier', drawdown.multiplier, `(${fmt(drawdown.peakEquity)} − ${fmt(equity)}) / ${fmt(drawdown.peakEquity)} = ${fmt(drawdown.drawdownPct)} %: ${drawdown.step}`, `Drawdown guard: size cut while equity is below its peak (a ${fmt(drawdown.drawdownPct)} % drawdown needs a ${fmt(drawdown.recoveryGainPct)} % gain to recover).`);
    if (drawdown.multiplier === 0) notes.push('The drawdown schedule says stop trading at this drawdown: quantity is 0.');
  }
  const sizeMultiplier = (vol.multiplier ?? 1) * (drawdown?.multiplier ?? 1);
  const quantity = baseQuantity * sizeMultiplier;
  add('quantity', quantity, `${fmt(baseQuantity)} × ${fmt(vol.multiplier ?? 1)} × ${fmt(drawdown?.multiplier ?? 1)}`, 'Position size to plan: base size × volatility multiplier (1 when unavailable) × drawdown multiplier (1 without a peak).');
  const notional = quantity * entry;
  add('notional', notional, `${fmt(quantity)} × ${fmt(entry)}`, 'Position value at the entry (quote currency); independent of leverage.');
  const riskAmount = quantity * stopDistance;
  const riskAmountPct = (riskAmount / equity) * 100;
  add('riskAmount', riskAmount, `${fmt(quantity)} × ${fmt(stopDistance)}`, `Loss at the stop, ${fmt(riskAmountPct)} % of equity; fees, funding and slippage are not included.`);

  // --- Leverage ---
  const bracket = bracketFor(input.bracketTable, notional);
  add('maintenanceMarginRate', bracket.maintenanceMarginRate, `bracket ${bracket.bracket} of ${input.bracketTable.name} for notional ${fmt(notional)}`, `Maintenance margin rate (fraction) and amount ${fmt(bracket.maintenanceAmount)} of the bracket; the bracket allows at most ${bracket.maxLeverage}x.`);
  const atr = input.volatility && !input.volatility.stale ? input.volatility.atr : null;
  const bufferFromPct = (t.liquidationBufferPct / 100) * entry;
  const bufferFromAtr = atr != null ? t.liquidationBufferAtr * atr : null;
  const liquidationBuffer = Math.max(bufferFromPct, bufferFromAtr ?? 0);
  add(
    'liquidationBuffer',
    liquidationBuffer,
    bufferFromAtr != null ? `max(${fmt(t.liquidationBufferPct)} % × ${fmt(entry)}, ${fmt(t.liquidationBufferAtr)} × ATR ${fmt(atr!)})` : `${fmt(t.liquidationBufferPct)} % × ${fmt(entry)} (no ATR)`,
    'Least gap required between the stop and the liquidation price: room for a stop that fills late and for the mark price (which liquidates) differing from the last price.',
  );
  const safe = maxSafeLeverage({ side, entry, stop, notional, bracketTable: input.bracketTable, buffer: liquidationBuffer });
  const { limit, rawLimit } = safe;
  if (safe.maxSafeLeverage == null) {
    throw new PlanRefusedError(
      PlanRefusalReasons.NO_SAFE_LEVERAGE,
      `no leverage is safe for this stop: even 1x is liquidated at ${fmt(liquidationPrice(side, entry, 1, bracket, notional))}, before the stop ${fmt(stop)} plus the buffer ${fmt(liquidationBuffer)}`,
      { side, entry, stop, liquidationBuffer },
    );
  }
  const maxSafe = safe.maxSafeLeverage;
  add(
    'maxSafeLeverage',
    maxSafe,
    `min(floor(${Number.isFinite(rawLimit) ? fmt(rawLimit) : '∞'}), ${bracket.maxLeverage})`,
    `Largest whole leverage whose liquidation price lies beyond ${fmt(limit)} (stop ${side === PositionSides.LONG ? '−' : '+'} buffer), capped by the bracket's ${bracket.maxLeverage}x.`,
  );
  const minLeverageForEquity = notional / equity;
  add('minLeverageForEquity', minLeverageForEquity, `${fmt(notional)} / ${fmt(equity)}`, 'Below this leverage the isolated margin would exceed the equity.');
  if (minLeverageForEquity > maxSafe) {
    notes.push(`The margin exceeds the equity at every safe leverage (it needs ≥ ${fmt(minLeverageForEquity)}x, the max safe is ${maxSafe}x): lower riskPct or move the stop further from the entry.`);
  }

  const requested = input.leverages != null && input.leverages.length > 0;
  const ladder = requested ? [...new Set(input.leverages)].sort((a, b) => a - b) : [...new Set([...t.leverageLadder.filter((l) => l <= maxSafe), maxSafe])].sort((a, b) => a - b);
  const leverages: LeverageOption[] = ladder.map((leverage) => {
    const liq = liquidationPrice(side, entry, leverage, bracket, notional);
    if (requested && (leverage > bracket.maxLeverage || !liquidatesBeyond(side, liq, limit))) {
      const beforeStop = side === PositionSides.LONG ? liq > stop : liq < stop;
      throw new PlanRefusedError(
        PlanRefusalReasons.LEVERAGE_LIQUIDATES_BEFORE_STOP,
        leverage > bracket.maxLeverage
          ? `leverage ${fmt(leverage)}x is above the ${bracket.maxLeverage}x the bracket of a ${fmt(notional)} position allows; the max safe leverage for this stop is ${maxSafe}x`
          : `leverage ${fmt(leverage)}x liquidates at ${fmt(liq)}, ${beforeStop ? 'before the stop' : 'within the buffer beyond the stop'} ${fmt(stop)} (buffer ${fmt(liquidationBuffer)}); the max safe leverage for this stop is ${maxSafe}x`,
        { leverage, liquidationPrice: liq, stop, liquidationBuffer, maxSafeLeverage: maxSafe },
      );
    }
    const margin = notional / leverage;
    return {
      leverage,
      margin,
      marginOfEquityPct: (margin / equity) * 100,
      liquidationPrice: liq,
      liquidationDistancePct: (Math.abs(liq - entry) / entry) * 100,
      beyondStop: (stop - liq) * sign,
      affordable: margin <= equity,
    };
  });
  if (!requested) notes.push(`Leverages listed: the ladder ${t.leverageLadder.join(', ')} up to the max safe ${maxSafe}x.`);

  // --- Targets ---
  const targets: PlanTarget[] = (input.targets ?? []).map((price) => {
    if ((price - entry) * sign <= 0) {
      throw new PlanRefusedError(PlanRefusalReasons.TARGET_WRONG_SIDE, `a ${side} target must be ${side === PositionSides.LONG ? 'above' : 'below'} the entry ${fmt(entry)}, got ${fmt(price)}`, { side, entry, target: price });
    }
    const move = Math.abs(price - entry);
    return { price, rMultiple: move / stopDistance, reward: quantity * move, distancePct: (move / entry) * 100 };
  });
  targets.forEach((x, i) => add(`target${i + 1}R`, x.rMultiple, `|${fmt(x.price)} − ${fmt(entry)}| / ${fmt(stopDistance)}`, `Reward of target ${i + 1} in units of the risk R (${fmt(x.reward)} quote at this size).`));

  notes.push(
    'Isolated margin, one-way mode, no other positions; fees and funding ignored (as the liquidation heatmap). Cross margin liquidates further away, so isolated is the conservative case.',
    `Maintenance brackets: ${input.bracketTable.name} (${input.bracketTable.asOf}); a venue can assign an account other tiers.`,
    'A plan, not an order: perpgraph never places, changes or cancels orders.',
  );

  return {
    symbol: input.symbol,
    side,
    entry,
    entrySource: input.entrySource,
    stop,
    stopDistance,
    stopDistancePct,
    equity,
    riskPct,
    riskBudget,
    baseQuantity,
    volatilityMultiplier: vol.multiplier,
    volatilityMultiplierRaw: vol.raw,
    volatilityRegime: input.volatility?.regime ?? null,
    volatilityScaled: vol.scaled,
    volatilityNote: vol.note,
    drawdown,
    sizeMultiplier,
    quantity,
    notional,
    riskAmount,
    riskAmountPct,
    bracket: {
      table: input.bracketTable.name,
      tableAsOf: input.bracketTable.asOf,
      bracket: bracket.bracket,
      maxLeverage: bracket.maxLeverage,
      maintenanceMarginRate: bracket.maintenanceMarginRate,
      maintenanceAmount: bracket.maintenanceAmount,
    },
    liquidationBuffer,
    maxSafeLeverage: maxSafe,
    minLeverageForEquity,
    leverages,
    targets,
    factors,
    notes,
    thresholds: t,
  };
}

function volatilityMultiplier(input: Readonly<PositionPlanInput>): { multiplier: number | null; raw: number | null; scaled: boolean; formula: string; note: string } {
  const v = input.volatility;
  const unavailable = (why: string) => ({ multiplier: null, raw: null, scaled: false, formula: 'unavailable', note: `${why}; the size is not scaled (multiplier 1 used).` });
  if (!v) return unavailable('no VOLATILITY result for this symbol');
  if (v.stale) return unavailable('the VOLATILITY result is stale (its inputs are overdue)');
  if (v.riskMultiplier == null) return unavailable('the VOLATILITY analysis is warming up (too few closed candles)');
  const raw = v.riskMultiplier;
  const capped = input.allowUpsize ? raw : Math.min(raw, 1);
  const note =
    raw > 1 && !input.allowUpsize
      ? `VOLATILITY riskMultiplier ${fmt(raw)} (${v.regime ?? 'unknown regime'}) capped at 1: volatility only shrinks the risk asked for unless allowUpsize.`
      : `VOLATILITY riskMultiplier (${v.regime ?? 'unknown regime'}): target volatility / realized volatility, clamped per regime.`;
  return { multiplier: capped, raw, scaled: true, formula: input.allowUpsize || raw <= 1 ? fmt(raw) : `min(${fmt(raw)}, 1)`, note };
}

function validate(input: Readonly<PositionPlanInput>, t: PositionPlanThresholds): void {
  const positive = (name: string, x: number) => {
    if (!(Number.isFinite(x) && x > 0)) fail(`${name} must be a positive finite number, got ${x}`);
  };
  positive('equity', input.equity);
  positive('riskPct', input.riskPct);
  positive('entry', input.entry);
  positive('stop', input.stop);
  if (input.riskPct > 100) fail(`riskPct must be at most 100, got ${input.riskPct}`);
  if (input.side !== PositionSides.LONG && input.side !== PositionSides.SHORT) fail(`side must be LONG or SHORT, got ${JSON.stringify(input.side)}`);
  input.targets?.forEach((x, i) => positive(`targets[${i}]`, x));
  input.leverages?.forEach((x, i) => {
    if (!(Number.isInteger(x) && x >= 1)) fail(`leverages[${i}] must be an integer ≥ 1, got ${x}`);
  });
  if (input.peakEquity != null) positive('peakEquity', input.peakEquity);
  if (!(t.liquidationBufferPct >= 0) || !(t.liquidationBufferAtr >= 0)) fail(`liquidation buffers must be ≥ 0, got ${t.liquidationBufferPct} % and ${t.liquidationBufferAtr} ATR`);
  checkTable(input.bracketTable);
}

function checkTable(table: BracketTable): void {
  if (table.brackets.length === 0) fail(`bracket table ${JSON.stringify(table.name)} is empty`);
}
