import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, isolatedDatabase, tempDir } from '../support/harness.js';
import { runningProcesses, spawnTracked, startMain, stopAllProcesses } from '../support/process.js';
import { closedPort } from '../support/ports.js';


describe('the server process', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let db: Awaited<ReturnType<typeof isolatedDatabase>>;

  beforeAll(async () => {
    dir = await tempDir();
    db = await isolatedDatabase();
  });
  afterAll(async () => {
    // Pass or fail, no server outlives the suite.
    await stopAllProcesses();
    expect(runningProcesses()).toBe(0);
    await db?.drop();
    await dir?.remove();
  });

  it('refuses to start on invalid settings, naming the variable and the problem', async () => {
    const child = spawnTracked(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { PATH: process.env.PATH, PORT: 'eighty', SYMBOLS: 'BTC/USDT' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('Invalid configuration');
    expect(stderr).toContain('PORT:');
    expect(stderr).toContain('"eighty"');
    expect(stderr).toContain('SYMBOLS.0: symbols are letters/digits like BTCUSDT');
  }, 30_000);

  it('falls back to the simulated market when Binance is unreachable, says so, and shuts down cleanly on SIGTERM', async () => {
    const started = await startMain({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dir.path,
      DATABASE_URL: db.url,
      // A port we closed ourselves: the live probe fails fast.
      BINANCE_FAPI_URL: `http://127.0.0.1:${await closedPort()}`,
      SIM_TICK_MS: '50',
      SNAPSHOT_EVERY_MS: '200',
      SNAPSHOT_FLUSH_MS: '60000',
      ANALYSIS_MIN_INTERVAL_MS: '200',
    });
    const warning = started.lines.find((l) => String(l.msg).includes('falling back to the SIMULATED market'));
    expect(warning, 'the fallback is logged loudly').toBeDefined();
    expect(warning!.level, 'at warn level').toBe(40);

    const url = `http://127.0.0.1:${started.port}/graphql`;
    const res = await gql<{ market: { funding: { meta: { source: string } } } }>(url, '{ market(symbol: "BTCUSDT") { funding { meta { source } } } }');
    expect(res.data?.market.funding.meta.source, JSON.stringify(res)).toBe('SIMULATED');
    await new Promise((r) => setTimeout(r, 600));

    // Snapshots are flushed only every 60 s here, so what the history shows after restart was written by the shutdown flush.
    started.child.kill('SIGTERM');
    expect(await started.exit, 'graceful exit').toBe(0);
    expect(started.lines.some((l) => l.msg === 'bye')).toBe(true);

    const restartedAt = new Date().toISOString();
    const again = await startMain({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir.path, DATABASE_URL: db.url, MARKET_SOURCE: 'simulated' });
    try {
      const history = await gql<{ snapshots: unknown[] }>(
        `http://127.0.0.1:${again.port}/graphql`,
        `{ snapshots(kind: FUNDING, symbol: "BTCUSDT", to: "${restartedAt}") { asOf } }`,
      );
      expect(history.data?.snapshots.length, 'the shutdown flush wrote pending snapshots').toBeGreaterThan(0);
    } finally {
      again.child.kill('SIGINT');
      expect(await again.exit).toBe(0);
    }
  }, 180_000);
});
