import { computeOptionsFlow, DEFAULT_DEALER_POSITIONING, OPTIONS_FLOW_METHODOLOGY_VERSION } from '../../analyzers/options-flow.js';
import type { DealerPositioning, OptionsFlowAnalysis } from '../../analyzers/options-flow.types.js';
import type { MarketWideDefinition } from '../definition.js';
import type { MarketStore } from '../market-store.js';

/** Caller-chosen parameters of the options-flow analysis (validated by the resolver). */
export interface OptionsFlowParams {
  dealerPositioning?: DealerPositioning;
}

function compute(store: MarketStore, key: string, params: OptionsFlowParams): { result: OptionsFlowAnalysis; asOf: number } | null {
  const chain = store.global().options.get(key);
  if (!chain) return null;
  // The chain's own time is "now" for the analysis: times to expiry are measured from when it was priced.
  const result = computeOptionsFlow({
    currency: chain.currency,
    indexPrice: chain.indexPrice,
    quotes: chain.quotes,
    now: chain.time,
    dealerPositioning: params.dealerPositioning ?? DEFAULT_DEALER_POSITIONING,
  });
  return { result, asOf: chain.time };
}

/** OPTIONS_FLOW per option currency (the currencies whose chain the store holds: BTC, ETH). */
export const optionsFlowDefinition: MarketWideDefinition<OptionsFlowAnalysis> = {
  kind: 'OPTIONS_FLOW',
  methodologyVersion: OPTIONS_FLOW_METHODOLOGY_VERSION,
  triggers: new Set(['optionsChain']),
  inputs: [{ type: 'optionsChain' }],
  keys: (store) => [...store.global().options.keys()],
  // The heaviest scheduled run: Black-76 greeks for every quote, then GEX re-summed over the zero-gamma
  // grid (steps × quotes): 50-115 ms per chain on the main thread of the idle 3-symbol server, ≈ 0.9 s for
  // its first run (cold code); in the worker pool the loop only receives the result.
  offload: true,
  compute: (store, key) => compute(store, key, {}),
  computeWith: (store, key, _now, _settings, params) => compute(store, key, params as OptionsFlowParams),
};
