import type { BacktestResult, BacktestSide, BacktestTrade, EquityPoint, ExitReason, Intent, SimulationInput } from './backtest.types.js';
import { computeBacktestMetrics } from './metrics.js';

/**
 * Bar-by-bar simulation of one strategy over closed candles (issue 13 §3). Pure: candles, settlements
 * and a strategy in, trades, equity curve and metrics out.
 *
 * No look-ahead by construction: the strategy is called at the close of bar k with bars 0..k only (a
 * prefix slice) and settlements up to that close; what it decides is acted on from bar k + 1.
 *
 * Per bar, in this order:
 * 1. Funding: a settlement at time t is paid (long, positive rate) or received (short) on quantity × the
 *    open of the bar containing t: one at or before the bar's open (Binance settles on the hour, a bar open)
 *    by the position held across that open (a fill at the open is after it); one inside the bar by the
 *    position held after the open's fills (step 2), before the intrabar stop and target.
 * 2. At the open: a position past its `maxHoldBars` closes (TIME); then the previous close's intent — EXIT
 *    closes (SIGNAL), ENTER on the other side closes and reverses, ENTER MARKET fills at the open, ENTER
 *    LIMIT/STOP rests for `expiryBars` bars.
 * 3. A resting LIMIT fills when the bar trades at or through its price (a long: low ≤ price), a STOP when
 *    the bar trades through its trigger (a long: high ≥ price); a gap through the price fills at the open.
 * 4. Stop and target: **a bar that touches both the stop and the target closes at the stop** (candles do not
 *    tell the order inside a bar; the conservative reading is the one a trader can rely on). A position held
 *    at the bar's open that gaps through the stop or target fills at the open.
 * 5. Equity is marked at the close.
 *
 * Costs: every fill moves against the trader by `slippageBps` (buys × (1 + s), sells × (1 − s)) and pays
 * `feeBps` of its notional. A position still open after the last bar closes at the last close (END), with
 * the same costs. Sizing: quantity = equity × positionFraction / entry fill price.
 */
export function simulateBacktest(input: Readonly<SimulationInput>): BacktestResult {
  const { candles, costs, strategy } = input;
  const funding = [...(input.funding ?? [])].sort((a, b) => a.fundingTime - b.fundingTime);
  const fraction = input.positionFraction ?? 1;
  const start = input.warmUpBars ?? 0;
  if (!(input.initialEquity > 0)) throw new Error(`initialEquity must be > 0, got ${input.initialEquity}`);
  if (!(fraction > 0)) throw new Error(`positionFraction must be > 0, got ${fraction}`);
  if (costs.feeBps < 0 || costs.slippageBps < 0) throw new Error(`costs must be ≥ 0, got fee ${costs.feeBps} bps, slippage ${costs.slippageBps} bps`);
  if (candles.length < start + 2) throw new Error(`need at least warmUpBars + 2 = ${start + 2} candles, got ${candles.length}`);
  for (let i = 1; i < candles.length; i++) {
    if (!(candles[i]!.openTime > candles[i - 1]!.openTime)) throw new Error(`candles must be strictly ascending by openTime (index ${i}: ${candles[i]!.openTime})`);
  }
  const slip = costs.slippageBps / 10_000;
  const feeRate = costs.feeBps / 10_000;

  interface Position {
    side: BacktestSide;
    sign: 1 | -1;
    quantity: number;
    entryPrice: number;
    entryTime: number;
    entryIndex: number;
    entryFee: number;
    funding: number;
    stop: number | null;
    target: number | null;
    maxHoldBars: number | null;
  }
  interface RestingOrder {
    intent: Extract<Intent, { action: 'ENTER' }>;
    lastBar: number;
  }

  let cash = input.initialEquity;
  let position: Position | null = null;
  let resting: RestingOrder | null = null;
  let pending: Intent = { action: 'HOLD' };
  const trades: BacktestTrade[] = [];
  const equityCurve: EquityPoint[] = [];
  let exposedBars = 0;
  let fundingIndex = 0;
  let fundingSeen = 0;
  const total = candles.length - start;
  const every = Math.max(1, input.progressEvery ?? 500);

  const fillPrice = (raw: number, buy: boolean): number => raw * (buy ? 1 + slip : 1 - slip);

  const open = (intent: Extract<Intent, { action: 'ENTER' }>, raw: number, time: number, index: number): void => {
    const long = intent.side === 'LONG';
    const price = fillPrice(raw, long);
    const quantity = (cash * fraction) / price;
    const fee = quantity * price * feeRate;
    cash -= fee;
    position = {
      side: intent.side,
      sign: long ? 1 : -1,
      quantity,
      entryPrice: price,
      entryTime: time,
      entryIndex: index,
      entryFee: fee,
      funding: 0,
      stop: intent.stop,
      target: intent.target,
      maxHoldBars: intent.maxHoldBars ?? null,
    };
  };

  const close = (p: Position, raw: number, time: number, index: number, reason: ExitReason): void => {
    const price = fillPrice(raw, p.sign === -1);
    const fee = p.quantity * price * feeRate;
    const pricePnl = p.sign * p.quantity * (price - p.entryPrice);
    cash += pricePnl - fee;
    const pnl = pricePnl - p.entryFee - fee + p.funding;
    trades.push({
      side: p.side,
      entryTime: p.entryTime,
      entryPrice: p.entryPrice,
      exitTime: time,
      exitPrice: price,
      quantity: p.quantity,
      exitReason: reason,
      fees: p.entryFee + fee,
      funding: p.funding,
      pnl,
      returnFraction: pnl / (p.quantity * p.entryPrice),
      bars: index - p.entryIndex + 1,
    });
    position = null;
  };

  // Settlements up to the first simulated close find no position.
  while (fundingIndex < funding.length && funding[fundingIndex]!.fundingTime <= candles[start]!.closeTime) fundingIndex++;
  const settle = (until: number, price: number): void => {
    while (fundingIndex < funding.length && funding[fundingIndex]!.fundingTime <= until) {
      const p = position as Position | null;
      if (p) {
        const payment = -p.sign * p.quantity * price * funding[fundingIndex]!.rate;
        cash += payment;
        p.funding += payment;
      }
      fundingIndex++;
    }
  };

  for (let k = start; k < candles.length; k++) {
    const bar = candles[k]!;
    let exposed = false;
    if (k > start) {
      // 1. Funding up to the open, on the position held across it.
      settle(bar.openTime, bar.open);
      const heldAtOpen = position !== null;
      if (heldAtOpen) exposed = true;
      // 2. At the open: time exit, then the intent from the previous close.
      {
        const p = position as Position | null;
        if (p && p.maxHoldBars !== null && k - p.entryIndex >= p.maxHoldBars) close(p, bar.open, bar.openTime, k - 1, 'TIME');
      }
      const intent = pending;
      pending = { action: 'HOLD' };
      if (intent.action === 'EXIT') {
        resting = null;
        const p = position as Position | null;
        if (p) close(p, bar.open, bar.openTime, k - 1, 'SIGNAL');
      } else if (intent.action === 'ENTER') {
        const p = position as Position | null;
        if (p && p.side !== intent.side) close(p, bar.open, bar.openTime, k - 1, 'SIGNAL');
        if (!position) {
          resting = null;
          if (intent.type === 'MARKET') open(intent, bar.open, bar.openTime, k);
          else {
            if (!(intent.price !== undefined && intent.price > 0)) throw new Error(`a ${intent.type} entry needs a price > 0, got ${intent.price}`);
            resting = { intent, lastBar: k + Math.max(1, intent.expiryBars ?? 1) - 1 };
          }
        }
      }
      // Settlements after the open and up to the close: the position held after the open's fills.
      settle(bar.closeTime, bar.open);
      // 3. Resting LIMIT/STOP entry.
      if (!position && resting) {
        const { intent: o } = resting;
        const price = o.price!;
        const long = o.side === 'LONG';
        let raw: number | null = null;
        if (o.type === 'LIMIT') {
          if (long && bar.low <= price) raw = Math.min(price, bar.open);
          if (!long && bar.high >= price) raw = Math.max(price, bar.open);
        } else {
          if (long && bar.high >= price) raw = Math.max(price, bar.open);
          if (!long && bar.low <= price) raw = Math.min(price, bar.open);
        }
        if (raw !== null) {
          open(o, raw, bar.openTime, k);
          resting = null;
        } else if (k >= resting.lastBar) resting = null;
      }
      // 4. Stop and target (stop first when both are touched).
      const p = position as Position | null;
      if (p) {
        exposed = true;
        const gapOpen = heldAtOpen && p.entryIndex < k;
        const long = p.sign === 1;
        const stopHit = p.stop !== null && (long ? bar.low <= p.stop : bar.high >= p.stop);
        const targetHit = p.target !== null && (long ? bar.high >= p.target : bar.low <= p.target);
        if (stopHit) {
          const stop = p.stop!;
          close(p, gapOpen ? (long ? Math.min(stop, bar.open) : Math.max(stop, bar.open)) : stop, bar.closeTime, k, 'STOP');
        } else if (targetHit) {
          const target = p.target!;
          close(p, gapOpen ? (long ? Math.max(target, bar.open) : Math.min(target, bar.open)) : target, bar.closeTime, k, 'TARGET');
        }
      }
    }
    // 5. Mark to the close.
    const held = position as Position | null;
    if (held) exposed = true;
    if (exposed) exposedBars++;
    const equity = cash + (held ? held.sign * held.quantity * (bar.close - held.entryPrice) : 0);
    equityCurve.push({ time: bar.closeTime, equity });

    if (k < candles.length - 1) {
      while (fundingSeen < funding.length && funding[fundingSeen]!.fundingTime <= bar.closeTime) fundingSeen++;
      const decision = strategy({ k, candles: candles.slice(0, k + 1), funding: funding.slice(0, fundingSeen), position: held ? held.side : null });
      if (decision.action !== 'HOLD') pending = decision;
    }
    if (input.onProgress && ((k - start + 1) % every === 0 || k === candles.length - 1)) input.onProgress(k - start + 1, total);
  }
  const last = candles.at(-1)!;
  const held = position as Position | null;
  if (held) {
    close(held, last.close, last.closeTime, candles.length - 1, 'END');
    equityCurve[equityCurve.length - 1] = { time: last.closeTime, equity: cash };
  }
  const intervalMs = candles[1]!.openTime - candles[0]!.openTime;
  return {
    metrics: computeBacktestMetrics({ initialEquity: input.initialEquity, equityCurve, trades, exposedBars, intervalMs }),
    equityCurve,
    trades,
    bars: total,
    from: candles[start]!.openTime,
    to: last.closeTime,
  };
}
