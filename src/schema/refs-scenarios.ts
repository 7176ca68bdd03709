import {
  EntryTypes,
  ScenarioBiases,
  ScenarioKinds,
  type Scenario,
  type ScenarioEntry,
  type ScenarioLeverage,
  type ScenarioSet,
  type ScenarioStop,
  type ScenarioTarget,
  type ScenarioThresholds,
  type ScenarioWhy,
} from '../analyzers/scenarios.types.js';
import { builder } from './builder.js';
import type { WithMeta } from './refs.js';

/** Refs and enums of the trade scenarios (implemented in src/resolvers/scenarios.ts). */
export const ScenarioSetRef = builder.objectRef<WithMeta<ScenarioSet>>('ScenarioSet');
export const ScenarioRef = builder.objectRef<Scenario>('Scenario');
export const ScenarioEntryRef = builder.objectRef<ScenarioEntry>('ScenarioEntry');
export const ScenarioStopRef = builder.objectRef<ScenarioStop>('ScenarioStop');
export const ScenarioTargetRef = builder.objectRef<ScenarioTarget>('ScenarioTarget');
export const ScenarioLeverageRef = builder.objectRef<ScenarioLeverage>('ScenarioLeverage');
export const ScenarioWhyRef = builder.objectRef<ScenarioWhy>('ScenarioWhy');
export const ScenarioThresholdsRef = builder.objectRef<ScenarioThresholds>('ScenarioThresholds');

export const ScenarioBiasEnum = builder.enumType(ScenarioBiases, {
  name: 'ScenarioBias',
  description: 'Side of a scenario.',
  values: {
    LONG: { description: 'Profits when the price rises: targets above the entry, stop below.' },
    SHORT: { description: 'Profits when the price falls: targets below the entry, stop above.' },
  },
});

export const ScenarioKindEnum = builder.enumType(ScenarioKinds, {
  name: 'ScenarioKind',
  description: 'How a scenario is set up relative to the composite and the nearest levels.',
  values: {
    BREAKOUT: { description: 'With the composite: a move through the nearest level in its way (resistance for a long), entered by a stop order.' },
    PULLBACK: { description: 'With the composite: a return to the nearest level behind the price (support for a long), entered by a limit order.' },
    REJECTION: { description: 'Against the composite: a rejection at the nearest level in its way, entered by a limit order.' },
    RANGE_FADE: { description: 'No side (NEUTRAL composite): fading an edge of the range (value area, else the nearest level).' },
  },
});

export const EntryTypeEnum = builder.enumType(EntryTypes, {
  name: 'ScenarioEntryType',
  description: 'Order type the entry zone is meant for.',
  values: {
    STOP: { description: 'A stop order that triggers when the price trades through the zone (breakouts).' },
    LIMIT: { description: 'A resting limit order inside the zone (pull-backs, rejections, fades).' },
  },
});
