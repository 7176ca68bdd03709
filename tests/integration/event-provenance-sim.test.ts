import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createSimulatedSource } from '../../src/datasources/simulated/index.js';
import { createLogger } from '../../src/logger.js';
import { isolatedDatabase, tempDir, testEnv } from '../support/harness.js';
import { collectEvents } from '../support/ws.js';

/**
 * Event provenance over graphql-ws on the simulated market (real server, real client, simulated clock 20×
 * faster than the wall clock, shared by source and app): liquidation events carry meta SIMULATED/simulated
 * with asOf = the liquidation time. cascadeDetected is covered with a scripted forceOrder burst through
 * the live adapters in event-provenance-live.test.ts: here no severity change arrived within 60 s
 * (20 simulated minutes) when tried.
 */
const SPEED = 20;
type EventMeta = { source: string; venue: string; asOf: string };

describe('event meta on the simulated market: liquidation', () => {
  let app: App;
  let wsUrl: string;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let db: Awaited<ReturnType<typeof isolatedDatabase>>;
  const real0 = Date.now();
  const clock = () => real0 + (Date.now() - real0) * SPEED;

  beforeAll(async () => {
    dir = await tempDir();
    db = await isolatedDatabase();
    const config = loadConfig(testEnv({ DATA_DIR: dir.path, DATABASE_URL: db.url, SYMBOLS: 'BTCUSDT' }));
    const source = createSimulatedSource({ seed: 42, tickMs: 20, now: clock, symbols: config.SYMBOLS, tradeRateScale: 0.5 });
    app = createApp({ config, logger: createLogger(config.LOG_LEVEL), source, now: clock });
    wsUrl = `ws://127.0.0.1:${await app.start(0)}/graphql`;
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
    await dir?.remove();
  });

  it('liquidations arrive with meta SIMULATED/simulated and asOf = their time', async () => {
    const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    try {
      type Liq = { liquidation: { side: string; price: number; time: string; meta: EventMeta } };
      const events = await collectEvents<Liq>(client, 'subscription { liquidation(symbol: "BTCUSDT") { side price time meta { source venue asOf } } }', {}, 2, 60_000);
      for (const { liquidation: l } of events) {
        expect(l.meta, 'the simulated market is never LIVE').toEqual({ source: 'SIMULATED', venue: 'simulated', asOf: l.time });
        expect(l.side).toMatch(/^(BUY|SELL)$/);
        expect(l.price).toBeGreaterThan(0);
      }
    } finally {
      await client.dispose();
    }
  }, 90_000);
});
