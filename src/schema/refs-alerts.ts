import { DigestSections, type DigestSchedule } from '../alerts/digest.js';
import type { AlertDeliveryView, AlertRule } from '../alerts/rule-store.js';
import type { AlertFactor, AlertMessage } from '../alerts/types.js';
import { AlertEventTypes, AlertSeverities, ChannelTypes } from '../alerts/types.js';
import { builder } from './builder.js';
import { ConfirmationQualityEnum } from './refs-confirmation.js';
import { EmergencyLevelEnum } from './refs-emergency.js';

const RULE_EVENTS = AlertEventTypes;

export const AlertEventTypeEnum = builder.enumType('AlertEventType', {
  description: 'What an alert rule listens to.',
  values: {
    CASCADE_DETECTED: { value: RULE_EVENTS.CASCADE_DETECTED, description: 'A liquidation cascade reaches minSeverity (1 to 5, default 3) on LIQUIDATION_CASCADES.' },
    FUNDING_ANOMALY: { value: RULE_EVENTS.FUNDING_ANOMALY, description: 'The funding z-score reaches minAbsZ in absolute value (default 3).' },
    VOLATILITY_REGIME_CHANGED: { value: RULE_EVENTS.VOLATILITY_REGIME_CHANGED, description: 'The default 1 h volatility regime changes (the volatilityRegimeChanged stream).' },
    MTF_REGIME_CONFIRMED: { value: RULE_EVENTS.MTF_REGIME_CONFIRMED, description: 'The primary market regime agrees on at least minAgreement timeframes (default 3).' },
    CORRELATION_BREAK: { value: RULE_EVENTS.CORRELATION_BREAK, description: 'The cross-asset correlation analysis reports a break.' },
    TRAP_DETECTED: { value: RULE_EVENTS.TRAP_DETECTED, description: 'A new trap detection (direction UP for bullish, DOWN for bearish ones).' },
    WHALE_TRADE: { value: RULE_EVENTS.WHALE_TRADE, description: 'One trade of at least minNotional USD (default 1 000 000; direction UP buys, DOWN sells).' },
    CONFIRMATION_THRESHOLD: { value: RULE_EVENTS.CONFIRMATION_THRESHOLD, description: 'The confirmation composite reaches minComposite with at least minQuality (and the signal of direction).' },
    PRICE_LEVEL_CROSSED: { value: RULE_EVENTS.PRICE_LEVEL_CROSSED, description: 'A trade of at least 10 000 USD notional crosses price (direction UP, DOWN or ANY).' },
    EMERGENCY_LEVEL_CHANGED: { value: RULE_EVENTS.EMERGENCY_LEVEL_CHANGED, description: 'The EMERGENCY analysis level rises to at least minLevel (default ELEVATED).' },
    DIGEST: { value: RULE_EVENTS.DIGEST, description: 'Not an event: a summary card of chosen sections sent at each slot of schedule (cron), the way trading groups post a periodic signal card.' },
  } as const,
});

export const DigestSectionEnum = builder.enumType('DigestSection', {
  description: 'A section of a digest card.',
  values: {
    CONFIRMATION: { value: DigestSections.CONFIRMATION, description: 'Per symbol: the confirmation composite, signal, quality, strength and coverage (market.confirmation).' },
    SENTIMENT: { value: DigestSections.SENTIMENT, description: 'Per symbol: the sentiment composite and classification (sentiment(symbol)).' },
    CROSS_ASSET: { value: DigestSections.CROSS_ASSET, description: 'Once for the market: the cross-asset regime of the correlation engine (correlations.regime).' },
    SCENARIOS: { value: DigestSections.SCENARIOS, description: 'Per symbol: the first scenario with its bias, entry zone, stop and targets (market.scenarios).' },
    EMERGENCY: { value: DigestSections.EMERGENCY, description: 'Per symbol: the emergency level and its first trigger (emergency(symbol)).' },
    FUNDING: { value: DigestSections.FUNDING, description: 'Per symbol: the funding rate, its annualised value, z-score and signal (market.funding).' },
  } as const,
});

export const DigestScheduleInputRef = builder.inputType('DigestScheduleInput', {
  description: 'When a DIGEST rule sends and what its card holds.',
  fields: (t) => ({
    cron: t.string({ required: true, description: 'Cron expression, 5 fields (minute hour day month weekday), or 6 with seconds first, e.g. 0 */4 * * * for every 4 hours. Refused with the parse error when invalid.' }),
    timezone: t.string({ description: 'IANA time zone the expression is read in (e.g. Europe/Istanbul); default UTC.' }),
    sections: t.field({ type: [DigestSectionEnum], required: true, description: 'Sections of the card, in order (at least one).' }),
  }),
});

export const AlertChannelTypeEnum = builder.enumType('AlertChannelType', {
  description: 'Where an alert is sent.',
  values: {
    WEBHOOK: { value: ChannelTypes.WEBHOOK, description: 'A JSON POST signed with HMAC-SHA256 (X-Perpgraph-Signature).' },
    DISCORD: { value: ChannelTypes.DISCORD, description: 'A Discord webhook (one embed per alert).' },
    TELEGRAM: { value: ChannelTypes.TELEGRAM, description: 'A Telegram chat through the Bot API sendMessage (MarkdownV2).' },
  } as const,
});
export const AlertSeverityEnum = builder.enumType('AlertSeverity', {
  description: 'How urgent an alert is; Discord colours by it.',
  values: {
    INFO: { value: AlertSeverities.INFO, description: 'For information.' },
    WARNING: { value: AlertSeverities.WARNING, description: 'Worth a look now.' },
    CRITICAL: { value: AlertSeverities.CRITICAL, description: 'Act now (advice only, never orders).' },
  } as const,
});
export const AlertDirectionEnum = builder.enumType('AlertDirection', {
  description: 'Which way.',
  values: {
    UP: { value: 'UP', description: 'Upwards, bullish, buys.' },
    DOWN: { value: 'DOWN', description: 'Downwards, bearish, sells.' },
    ANY: { value: 'ANY', description: 'Either way.' },
  } as const,
});

export const AlertConditionsInputRef = builder.inputType('AlertConditionsInput', {
  description: 'Typed conditions; each event takes only its own fields (see AlertEventType), others are refused with BAD_USER_INPUT.',
  fields: (t) => ({
    minSeverity: t.int({ description: 'CASCADE_DETECTED: lowest cascade severity, 1 to 5.' }),
    minAbsZ: t.float({ description: 'FUNDING_ANOMALY: lowest absolute funding z-score.' }),
    minComposite: t.float({ description: 'CONFIRMATION_THRESHOLD: lowest composite score, 0 to 100.' }),
    minQuality: t.field({ type: ConfirmationQualityEnum, description: 'CONFIRMATION_THRESHOLD: lowest confirmation quality.' }),
    price: t.float({ description: 'PRICE_LEVEL_CROSSED: the price level.' }),
    direction: t.field({ type: AlertDirectionEnum, description: 'PRICE_LEVEL_CROSSED, TRAP_DETECTED, WHALE_TRADE, CONFIRMATION_THRESHOLD: which way.' }),
    minNotional: t.float({ description: 'WHALE_TRADE: lowest trade notional in USD.' }),
    minAgreement: t.int({ description: 'MTF_REGIME_CONFIRMED: lowest number of agreeing timeframes, 1 to 4.' }),
    minLevel: t.field({ type: EmergencyLevelEnum, description: 'EMERGENCY_LEVEL_CHANGED: lowest level that fires (ELEVATED or EMERGENCY).' }),
  }),
});

export const AlertChannelInputRef = builder.inputType('AlertChannelInput', {
  description: 'A channel. Its secrets are stored encrypted and never returned.',
  fields: (t) => ({
    type: t.field({ type: AlertChannelTypeEnum, required: true, description: 'The kind of channel.' }),
    url: t.string({ description: 'WEBHOOK: the receiver URL (http or https, public address). DISCORD: the webhook URL (a secret).' }),
    botToken: t.string({ description: 'TELEGRAM: the bot token from BotFather (a secret).' }),
    chatId: t.string({ description: 'TELEGRAM: the chat id (a number, -100... for channels, or @channelname).' }),
  }),
});

export const AlertRuleInputRef = builder.inputType('AlertRuleInput', {
  description: 'An alert rule: an event, the symbols it watches, typed conditions, a cooldown and channels; or a DIGEST with a schedule.',
  fields: (t) => ({
    name: t.string({ description: 'A label for listings and messages.' }),
    event: t.field({ type: AlertEventTypeEnum, required: true, description: 'What the rule listens to.' }),
    symbols: t.stringList({ description: 'Configured symbols the rule watches; empty or omitted means all (a DIGEST lists at most 10, by default the first 10 configured).' }),
    conditions: t.field({ type: AlertConditionsInputRef, description: 'Conditions for the event; omitted means the event defaults.' }),
    cooldownMs: t.int({ description: 'Least milliseconds between two alerts of this rule for one symbol; default 0 (not for DIGEST).' }),
    schedule: t.field({ type: DigestScheduleInputRef, description: 'DIGEST only (and required there): the cron schedule and the sections of the card.' }),
    channels: t.field({ type: [AlertChannelInputRef], required: true, description: 'Where to send (1 to 5 channels).' }),
  }),
});

export const AlertRuleRef = builder.objectRef<AlertRule>('AlertRule');
export const DigestScheduleRef = builder.objectRef<DigestSchedule>('DigestSchedule');
export const AlertChannelRef = builder.objectRef<{ type: string; target: string }>('AlertChannel');
export const AlertConditionsRef = builder.objectRef<AlertRule['conditions']>('AlertConditions');
export const AlertRulePayloadRef = builder.objectRef<{ rule: AlertRule; signingSecrets: Array<string | null> }>('AlertRulePayload');
export const AlertFactorRef = builder.objectRef<AlertFactor>('AlertFactor');
export const AlertDeliveryRef = builder.objectRef<AlertDeliveryView>('AlertDelivery');
export const AlertEventRef = builder.objectRef<{ message: AlertMessage; firedAt: number; deliveries: AlertDeliveryView[] | null }>('AlertEvent');
export const AlertEventEdgeRef = builder.objectRef<{ cursor: string; node: { message: AlertMessage; firedAt: number; deliveries: AlertDeliveryView[] | null } }>('AlertEventEdge');
export const AlertEventPageInfoRef = builder.objectRef<{ hasNextPage: boolean; endCursor: string | null }>('AlertEventPageInfo');
export const AlertEventConnectionRef = builder.objectRef<{ edges: Array<{ cursor: string; node: { message: AlertMessage; firedAt: number; deliveries: AlertDeliveryView[] | null } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } }>('AlertEventConnection');
