import { afterEach, describe, expect, it } from 'vitest';
import { startFakeBinance } from '../support/fake-binance.js';
import { startFakeBinanceWs } from '../support/fake-binance-ws.js';
import { startFakeCoinGecko } from '../support/fake-coingecko.js';
import { startFakeDeribit } from '../support/fake-deribit.js';
import { startFakeFng } from '../support/fake-fng.js';
import { gql, startIsolatedTestApp, waitFor, type IsolatedTestApp } from '../support/harness.js';
import { closedPort } from '../support/ports.js';

/**
 * The live venue is down when the server starts: the server must start anyway, say it is not ready,
 * and turn LIVE by itself once the venue answers. The venue's port is one this test bound and closed,
 * so nothing listens there until the fake Binance is started on it.
 */

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!().catch(() => undefined);
});


/** The other venues (stream, Deribit, alternative.me, CoinGecko) are up; only Binance REST is down. */
async function otherVenues(): Promise<Record<string, string>> {
  const [ws, deribit, fng, coingecko] = await Promise.all([startFakeBinanceWs(), startFakeDeribit(), startFakeFng({ days: 60 }), startFakeCoinGecko()]);
  cleanup.push(() => Promise.allSettled([ws.close(), deribit.close(), fng.close(), coingecko.close()]));
  return { BINANCE_FSTREAM_URL: ws.url, DERIBIT_URL: deribit.url, FNG_URL: fng.url, COINGECKO_URL: coingecko.url };
}

interface Health {
  health: {
    ready: boolean;
    marketSource: { origin: string; state: string; status: string; fallback: boolean; lastError: string | null };
    venues: Array<{ venue: string; state: string; lastError: string | null }>;
  };
}
const HEALTH = '{ health { ready marketSource { origin state status fallback lastError } venues { venue state lastError } } }';

async function start(env: Record<string, string | undefined>): Promise<IsolatedTestApp> {
  const app = await startIsolatedTestApp({ DATABASE_URL: undefined, REDIS_URL: undefined, SYMBOLS: 'BTCUSDT,ETHUSDT', ...env });
  cleanup.push(() => app.teardown());
  return app;
}

const origin = (url: string) => url.replace(/\/graphql$/, '');

describe('a live venue unreachable at start', () => {
  it('MARKET_SOURCE=binance: starts, answers /health, is not ready, retries with back-off and turns LIVE when the venue comes up', async () => {
    const port = await closedPort();
    const venueUrl = `http://127.0.0.1:${port}`;
    const app = await start({ ...(await otherVenues()), MARKET_SOURCE: 'binance', BINANCE_FAPI_URL: venueUrl, BINANCE_SPOT_URL: venueUrl, VENUE_RETRY_MS: '200', VENUE_RETRY_MAX_MS: '800' });

    expect((await fetch(`${origin(app.url)}/health`)).status, 'liveness answers').toBe(200);
    expect((await fetch(`${origin(app.url)}/ready`)).status, 'not ready while the venue is down').toBe(503);
    const down = (await gql<Health>(app.url, HEALTH)).data!.health;
    expect(down.ready).toBe(false);
    expect(down.marketSource).toMatchObject({ origin: 'LIVE', state: 'DOWN', status: 'DOWN', fallback: false });
    expect(down.marketSource.lastError).toBeTruthy();
    expect(down.venues[0]).toMatchObject({ venue: 'binance-usdm', state: 'DOWN' });
    const price = await gql<{ market: { ticker: { price: number } | null } }>(app.url, '{ market(symbol: "BTCUSDT") { ticker { price } } }');
    expect(price.errors?.[0]?.extensions?.code, JSON.stringify(price)).toBeDefined();

    // Retries keep going (several attempts at ≥ 200 ms doubling), then the venue appears on that port.
    await new Promise((r) => setTimeout(r, 1_000));
    const fake = await startFakeBinance({ symbols: ['BTCUSDT', 'ETHUSDT'], port });
    cleanup.push(() => fake.close());

    const live = await waitFor(async () => {
      const h = (await gql<Health>(app.url, HEALTH)).data?.health;
      return h?.ready && h.marketSource.state === 'OK' ? h : undefined;
    }, 20_000, 100);
    expect(live.marketSource).toMatchObject({ origin: 'LIVE', fallback: false });
    expect(live.venues[0]!.state).not.toBe('DOWN');
    expect((await fetch(`${origin(app.url)}/ready`)).status).toBe(200);
    const funding = await waitFor(async () => {
      const r = await gql<{ market: { funding: { meta: { source: string; venue: string } } | null } }>(app.url, '{ market(symbol: "BTCUSDT") { funding { meta { source venue } } } }');
      return r.data?.market.funding ?? undefined;
    }, 10_000, 100);
    expect(funding.meta).toEqual({ source: 'LIVE', venue: 'binance-usdm' });
  }, 120_000);

  it('MARKET_SOURCE unset: serves the simulated fallback flagged in health, keeps probing, and switches to LIVE with nothing simulated left', async () => {
    const port = await closedPort();
    const venueUrl = `http://127.0.0.1:${port}`;
    const app = await start({ ...(await otherVenues()), MARKET_SOURCE: undefined, BINANCE_FAPI_URL: venueUrl, BINANCE_SPOT_URL: venueUrl, LIVE_PROBE_MS: '300' });

    const fallback = (await gql<Health>(app.url, HEALTH)).data!.health;
    expect(fallback.ready, 'the fallback serves').toBe(true);
    expect(fallback.marketSource).toMatchObject({ origin: 'SIMULATED', fallback: true, status: 'DEGRADED' });
    const SNAPSHOTS = '{ snapshots(kind: FUNDING, symbol: "BTCUSDT", limit: 500) { source } }';
    await waitFor(async () => ((await gql<{ snapshots: unknown[] }>(app.url, SNAPSHOTS)).data?.snapshots.length ?? 0) > 0, 10_000, 100);

    const fake = await startFakeBinance({ symbols: ['BTCUSDT', 'ETHUSDT'], port });
    cleanup.push(() => fake.close());
    const live = await waitFor(async () => {
      const h = (await gql<Health>(app.url, HEALTH)).data?.health;
      return h?.marketSource.origin === 'LIVE' && h.marketSource.state === 'OK' ? h : undefined;
    }, 20_000, 100);
    expect(live.marketSource.fallback).toBe(false);
    expect(live.ready).toBe(true);

    const funding = await waitFor(async () => {
      const r = await gql<{ market: { funding: { meta: { source: string } } | null } }>(app.url, '{ market(symbol: "BTCUSDT") { funding { meta { source } } } }');
      return r.data?.market.funding ?? undefined;
    }, 20_000, 100);
    expect(funding.meta.source).toBe('LIVE');
    // No trade has arrived on the (silent) fake stream: either no price yet, or a LIVE one; never the simulated one.
    const price = await gql<{ market: { price: number; meta: { source: string } } }>(app.url, '{ market(symbol: "BTCUSDT") { price meta { source } } }');
    if (price.data?.market) expect(price.data.market.meta.source).toBe('LIVE');
    else expect(price.errors?.[0]?.extensions?.code, JSON.stringify(price)).toBeDefined();
    const history = (await gql<{ snapshots: Array<{ source: string }> }>(app.url, SNAPSHOTS)).data!.snapshots;
    expect(history.filter((s) => s.source !== 'LIVE'), 'no simulated row left in the history').toEqual([]);
  }, 120_000);
});
