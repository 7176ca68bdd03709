import type { ConfirmationInputs, LayerSource } from '../../src/analyzers/confirmation.types.js';

/** A source that has not been computed (the layer must read it as absent). */
export const none = (reason = 'not computed yet'): LayerSource<never> => ({ value: null, reason });

/** Layer inputs with every analysis absent: tests set what a layer reads through `over`. */
export function emptyInputs(base: Pick<ConfirmationInputs, 'symbol' | 'now' | 'candles' | 'price'>, over: Partial<ConfirmationInputs> = {}): ConfirmationInputs {
  return {
    interval: '1h',
    regime: none(),
    structure: none(),
    levels: none(),
    profile: none(),
    volume: none(),
    volatility: none(),
    funding: none(),
    openInterest: none(),
    longShort: none(),
    whales: none(),
    heatmap: none(),
    sentiment: none(),
    correlation: none(),
    optionsFlow: none(),
    forecast: none(),
    orderBook: none(),
    ...base,
    ...over,
  };
}
