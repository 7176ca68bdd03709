import type { UpcomingMacroEvent } from '../analyzers/macro-events.js';
import { MacroEventImportances } from '../domain/macro.js';
import { builder } from './builder.js';

/** Refs and enums of the macro event calendar (implemented in src/resolvers/macro.ts). */
export const MacroEventRef = builder.objectRef<UpcomingMacroEvent>('MacroEvent');

export const MacroEventImportanceEnum = builder.enumType(MacroEventImportances, {
  name: 'MacroEventImportance',
  description: 'How much a scheduled release usually moves markets.',
  values: {
    LOW: { description: 'Rarely moves crypto.' },
    MEDIUM: { description: 'Sometimes moves crypto.' },
    HIGH: { description: 'Often moves crypto sharply (CPI, FOMC statements); used by the volatility analysis as the macroEventProximity factor.' },
  },
});
