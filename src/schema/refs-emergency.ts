import {
  EmergencyLevels,
  EmergencyTriggerTypes,
  FlashConfirmations,
  type EmergencyAnalysis,
  type EmergencyThresholds,
  type EmergencyTrigger,
  type FlashWindow,
  type StaleInput,
  type UnavailableCheck,
} from '../analyzers/emergency.types.js';
import { builder } from './builder.js';
import type { WithMeta } from './refs.js';

/** Refs and enums of the emergency protocol (implemented in src/resolvers/emergency.ts). */
export const EmergencyRef = builder.objectRef<WithMeta<EmergencyAnalysis>>('Emergency');
export const EmergencyTriggerRef = builder.objectRef<EmergencyTrigger>('EmergencyTrigger');
export const FlashWindowRef = builder.objectRef<FlashWindow>('FlashWindow');
export const StaleInputRef = builder.objectRef<StaleInput>('StaleInput');
export const UnavailableCheckRef = builder.objectRef<UnavailableCheck>('UnavailableCheck');
export const EmergencyThresholdsRef = builder.objectRef<EmergencyThresholds>('EmergencyThresholds');

export const EmergencyLevelEnum = builder.enumType(EmergencyLevels, {
  name: 'EmergencyLevel',
  description: 'How alarming the market of one symbol is now. Advice only: perpgraph never places orders.',
  values: {
    NORMAL: { description: 'No emergency condition: ordinary risk management applies.' },
    ELEVATED: { description: 'At least one condition at its first threshold: reduce leverage, widen stops, watch closely.' },
    EMERGENCY: { description: 'A flash move, circuit-breaker move, extreme volatility, dislocation or halted feed at its second threshold.' },
  },
});

export const EmergencyTriggerTypeEnum = builder.enumType(EmergencyTriggerTypes, {
  name: 'EmergencyTriggerType',
  description: 'A condition the emergency protocol checks.',
  values: {
    FLASH_CRASH: { description: 'A fall of k σ (σ of the base interval returns, scaled by the square root of the bars) within a short window.' },
    FLASH_PUMP: { description: 'A rise of k σ within a short window.' },
    CIRCUIT_BREAKER_MOVE: { description: 'A move beyond a fixed percentage within 15 or 60 minutes, whatever the recent volatility.' },
    EXTREME_VOLATILITY: { description: 'Realised volatility of the last hour a multiple of its baseline.' },
    DATA_STALE: { description: 'The venue price feed stopped arriving (overdue); silent for haltedAfterMs it reads as a halted or unreachable venue.' },
    FUNDING_DISLOCATION: { description: 'Funding, normalised to 8 hours, beyond a dislocation threshold.' },
    BASIS_DISLOCATION: { description: 'Mark price away from the index price beyond a dislocation threshold.' },
  },
});

export const FlashConfirmationEnum = builder.enumType(FlashConfirmations, {
  name: 'FlashConfirmation',
  description: 'What confirmed a flash move besides the price.',
  values: {
    VOLUME: { description: 'Window volume at least volumeConfirmRatio times the baseline volume of a window that long.' },
    LIQUIDATIONS: { description: 'Liquidations of the side the move hurts at least liquidationConfirmRatio times the baseline (any, when the baseline had none).' },
  },
});
