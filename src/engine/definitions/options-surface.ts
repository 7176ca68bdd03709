import { computeOptionsSurface, OPTIONS_SURFACE_METHODOLOGY_VERSION } from '../../analyzers/options-surface.js';
import type { OptionsSurfaceAnalysis } from '../../analyzers/options-surface.types.js';
import type { MarketWideDefinition } from '../definition.js';
import type { MarketStore } from '../market-store.js';

/**
 * Why the DVOL comparison is empty for a chain whose source publishes no DVOL: the simulated market has
 * none, and the recorded chains of ../shared/data (May 2020) predate DVOL (launched March 2021). The live
 * Deribit source fetches it with each chain (public/get_volatility_index_data) and says why when it cannot.
 */
export const DVOL_UNAVAILABLE_REASON = 'this market source publishes no DVOL (simulated chains have none; the recorded May 2020 chains predate DVOL, launched 2021-03)';

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
    dvol: chain.dvol ?? null,
    dvolUnavailableReason: chain.dvol === undefined ? DVOL_UNAVAILABLE_REASON : (chain.dvolError ?? 'Deribit DVOL unavailable'),
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
