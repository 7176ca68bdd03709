import { computeOptionsSurface, OPTIONS_SURFACE_METHODOLOGY_VERSION } from '../../analyzers/options-surface.js';
import type { OptionsSurfaceAnalysis } from '../../analyzers/options-surface.types.js';
import type { MarketWideDefinition } from '../definition.js';
import type { MarketStore } from '../market-store.js';

/**
 * Why the DVOL comparison is empty: no source delivers Deribit's DVOL to the store (public/get_volatility_index_data
 * is not polled), and the recorded chains of ../shared/data (May 2020) predate DVOL (launched March 2021).
 */
export const DVOL_UNAVAILABLE_REASON =
  'Deribit DVOL is not ingested by this server (public/get_volatility_index_data is not polled yet); the recorded May 2020 chains predate DVOL (launched 2021-03)';

function compute(store: MarketStore, key: string): { result: OptionsSurfaceAnalysis; asOf: number } | null {
  const chain = store.global().options.get(key);
  if (!chain) return null;
  // The chain's own time is "now": times to expiry are measured from when it was priced.
  const result = computeOptionsSurface({
    currency: chain.currency,
    indexPrice: chain.indexPrice,
    quotes: chain.quotes,
    now: chain.time,
    rate: 0,
    dvol: null,
    dvolUnavailableReason: DVOL_UNAVAILABLE_REASON,
  });
  return { result, asOf: chain.time };
}

/** OPTIONS_SURFACE per option currency (the currencies whose chain the store holds: BTC, ETH). */
export const optionsSurfaceDefinition: MarketWideDefinition<OptionsSurfaceAnalysis> = {
  kind: 'OPTIONS_SURFACE',
  methodologyVersion: OPTIONS_SURFACE_METHODOLOGY_VERSION,
  triggers: new Set(['optionsChain']),
  inputs: [{ type: 'optionsChain' }],
  keys: (store) => [...store.global().options.keys()],
  // One SVI fit per expiry (a grid and Nelder–Mead over (m, σ), each step an exact constrained least squares):
  // 45-60 ms warm, 180-570 ms cold or under load, for the 310/326-option recorded chains on one core (tsx, the
  // loaded 2-core machine), so it runs in the worker pool when there is one.
  offload: true,
  compute: (store, key) => compute(store, key),
};
