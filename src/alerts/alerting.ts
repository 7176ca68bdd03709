import { randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import type { SqlExecutor } from '../db/database.js';
import type { Logger } from '../logger.js';
import { AlertDeliveryOutcomes, type AlertDeliveryRecorder } from '../observability/metrics.js';
import type { ChannelContext } from './channel-context.js';
import { createOutbox, type AttemptOutcome, type Outbox } from './outbox.js';
import type { Resolver } from './safe-http.js';
import { createSecretBox, loadSecretKey } from './secrets.js';

const METRIC_OUTCOME: Record<AttemptOutcome, (typeof AlertDeliveryOutcomes)[keyof typeof AlertDeliveryOutcomes]> = {
  DELIVERED: AlertDeliveryOutcomes.DELIVERED,
  RETRY: AlertDeliveryOutcomes.RETRIED,
  DEAD: AlertDeliveryOutcomes.FAILED,
};

export interface Alerting {
  outbox: Outbox;
  channels: ChannelContext;
  instanceId: string;
  start(): void;
  stop(): Promise<void>;
}

/** The delivery side of alerts, built from the ALERTS_* settings (composition in app.ts). */
export async function createAlerting(options: {
  config: Config;
  sql: SqlExecutor;
  logger: Logger;
  version: string;
  deliveries?: AlertDeliveryRecorder;
  resolver?: Resolver;
  now?: () => number;
}): Promise<Alerting> {
  const { config, logger } = options;
  const key = await loadSecretKey({ configured: config.ALERTS_SECRET_KEY, dataDir: config.DATA_DIR, logger });
  if (config.ALERTS_ALLOW_PRIVATE_TARGETS) logger.warn('ALERTS_ALLOW_PRIVATE_TARGETS=true: alert webhooks may reach private and loopback addresses (SSRF guard off)');
  const channels: ChannelContext = {
    secrets: createSecretBox(key),
    timeoutMs: config.ALERTS_DELIVERY_TIMEOUT_MS,
    maxResponseBytes: config.ALERTS_MAX_RESPONSE_BYTES,
    allowPrivate: config.ALERTS_ALLOW_PRIVATE_TARGETS,
    ...(options.resolver ? { resolver: options.resolver } : {}),
    discordApiUrl: config.ALERTS_DISCORD_API_URL,
    telegramApiUrl: config.ALERTS_TELEGRAM_API_URL,
    // Webhook timestamps are wall-clock (receivers compare them with theirs), whatever clock the market runs on.
    now: Date.now,
    userAgent: `perpgraph-alerts/${options.version}`,
  };
  const instanceId = randomUUID();
  const outbox = createOutbox({
    sql: options.sql,
    channels,
    logger,
    instanceId,
    maxAttempts: config.ALERTS_MAX_ATTEMPTS,
    backoffBaseMs: config.ALERTS_BACKOFF_BASE_MS,
    backoffMaxMs: config.ALERTS_BACKOFF_MAX_MS,
    pollMs: config.ALERTS_POLL_MS,
    leaseMs: Math.max(30_000, config.ALERTS_DELIVERY_TIMEOUT_MS * 3),
    concurrency: config.ALERTS_CONCURRENCY,
    onAttempt: ({ channel, outcome }) => options.deliveries?.record(channel.toLowerCase(), METRIC_OUTCOME[outcome]),
  });
  return {
    outbox,
    channels,
    instanceId,
    start: () => outbox.start(),
    stop: () => outbox.stop(),
  };
}
