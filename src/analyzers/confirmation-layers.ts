import {
  fibonacciLayer,
  priceActionLayer,
  supportResistanceLayer,
  technicalLayer,
  volumeLayer,
  wyckoffLayer,
} from './confirmation-layers-chart.js';
import { FLOW_LAYERS } from './confirmation-layers-flow.js';
import type { ConfirmationLayer, ConfirmationLayerName } from './confirmation.types.js';

/** The twelve layer functions by name: layers 1–6 read the chart, 7–12 the flow and market-wide analyses. */
export const CONFIRMATION_LAYERS: Readonly<Record<ConfirmationLayerName, ConfirmationLayer>> = {
  PRICE_ACTION: priceActionLayer,
  VOLUME: volumeLayer,
  TECHNICAL: technicalLayer,
  WYCKOFF: wyckoffLayer,
  SUPPORT_RESISTANCE: supportResistanceLayer,
  FIBONACCI: fibonacciLayer,
  ...FLOW_LAYERS,
};
