import {
  VolumeFlows,
  VwapAnchorSources,
  type AnchoredVwap,
  type SessionVwap,
  type VolumeAnalysis,
  type VolumeBar,
  type VolumeSpike,
} from '../analyzers/volume.types.js';
import { builder } from './builder.js';
import type { WithMeta } from './refs.js';

/** Refs and enums of the volume / order-flow analysis (implemented in src/resolvers/volume.ts). */
export const VolumeAnalysisRef = builder.objectRef<WithMeta<VolumeAnalysis>>('VolumeAnalysis');
export const VolumeSessionVwapRef = builder.objectRef<SessionVwap>('VolumeSessionVwap');
export const AnchoredVwapRef = builder.objectRef<AnchoredVwap>('AnchoredVwap');
export const VolumeBarRef = builder.objectRef<VolumeBar>('VolumeBar');
export const VolumeSpikeRef = builder.objectRef<VolumeSpike>('VolumeSpike');

export const VolumeFlowEnum = builder.enumType(VolumeFlows, {
  name: 'VolumeFlow',
  description:
    'Order-flow classification from taker delta imbalance, CVD slope and price vs session VWAP: BUYERS_IN_CONTROL (score ≥ 25), SELLERS_IN_CONTROL (score ≤ −25), BALANCED otherwise.',
  values: {
    BALANCED: { description: 'Neither side dominates (|score| below the flow threshold).' },
    BUYERS_IN_CONTROL: { description: 'Takers buy more than they sell, CVD rises and price holds above the session VWAP.' },
    SELLERS_IN_CONTROL: { description: 'Takers sell more than they buy, CVD falls and price holds below the session VWAP.' },
  },
});

export const VwapAnchorSourceEnum = builder.enumType(VwapAnchorSources, {
  name: 'VwapAnchorSource',
  description: 'ARGUMENT: the caller-given anchor time. SWING_HIGH / SWING_LOW: default, the bar of the latest confirmed swing (5 bars each side).',
  values: {
    ARGUMENT: { description: 'The caller\'s `anchor` time.' },
    SWING_HIGH: { description: 'Default: the bar of the latest confirmed swing high.' },
    SWING_LOW: { description: 'Default: the bar of the latest confirmed swing low.' },
  },
});
