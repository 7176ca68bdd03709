import { CHART_LAYERS } from './confirmation-layers-chart.js';
import { FLOW_LAYERS } from './confirmation-layers-flow.js';
import type { ConfirmationLayer, ConfirmationLayerName } from './confirmation.types.js';

/** The twelve layer functions by name: layers 1–6 read the chart, 7–12 the flow and market-wide analyses. */
export const CONFIRMATION_LAYERS: Readonly<Record<ConfirmationLayerName, ConfirmationLayer>> = { ...CHART_LAYERS, ...FLOW_LAYERS };
