import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, isolatedDatabase, startTestApp, tempDir, testEnv, type TestApp } from '../support/harness.js';

const META = 'meta { stale ageMs inputs { type interval lastAt expectedEveryMs graceMs overdue } }';
const MARKET_FIELDS = [
  'funding',
  'openInterest',
  'longShort',
  'basis',
  'liquidationHeatmap',
  'liquidationCascades',
  'whales',
  'volume',
  'volumeProfile',
  'structure',
  'keyLevels',
  'traps',
  'sessions',
  'volatility',
  'regime',
] as const;
const QUERY = `query {
  market(symbol: "BTCUSDT") { price meta { stale ageMs } ${MARKET_FIELDS.map((f) => `${f} { ${META} }`).join(' ')} }
  correlations { ${META} }
  sentiment { ${META} }
  optionsFlow { ${META} }
}`;

interface Meta {
  stale: boolean;
  ageMs: number;
  inputs: { type: string; interval: string | null; lastAt: string | null; expectedEveryMs: number | null; graceMs: number; overdue: boolean }[];
}
type Answer = { market: Record<string, { meta: Meta }> & { meta: Meta }; correlations: { meta: Meta }; sentiment: { meta: Meta }; optionsFlow: { meta: Meta } };

/** Every one of the 18 analyses (15 per market + 3 market-wide) with its meta, by name. */
function metas(data: Answer): Record<string, Meta> {
  const out: Record<string, Meta> = {};
  for (const f of MARKET_FIELDS) out[f] = data.market[f]!.meta;
  out.correlations = data.correlations.meta;
  out.sentiment = data.sentiment.meta;
  out.optionsFlow = data.optionsFlow.meta;
  return out;
}

describe('freshness on a healthy simulated market (fast SIM_TICK_MS)', () => {
  let app: TestApp;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let db: Awaited<ReturnType<typeof isolatedDatabase>>;

  beforeAll(async () => {
    dir = await tempDir();
    db = await isolatedDatabase();
    app = await startTestApp(testEnv({ DATA_DIR: dir.path, DATABASE_URL: db.url, SIM_TICK_MS: '25' }));
  });
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
    await dir?.remove();
  });

  it('no analysis is stale at any sample over the run, and each says which inputs it judged', async () => {
    // Before the fix 5–8 of the 18 were stale at any moment (candle analyses held to 30 s from their last bar close).
    const staleSeen = new Set<string>();
    let answered = 0;
    const until = Date.now() + 20_000;
    while (Date.now() < until) {
      const res = await gql<Answer>(app.url, QUERY).catch(() => undefined); // a busy 2-core CI box may reset a socket
      if (res?.data) {
        answered += 1;
        for (const [name, meta] of Object.entries(metas(res.data))) {
          if (meta.stale) staleSeen.add(`${name}: ${JSON.stringify(meta.inputs.filter((i) => i.overdue))}`);
          expect(meta.stale, `${name}: stale ⇔ an input is overdue`).toBe(meta.inputs.some((i) => i.overdue));
        }
        if (answered === 1) {
          const m = metas(res.data);
          expect(m.volume!.inputs).toEqual([expect.objectContaining({ type: 'candle', interval: 'I5M', expectedEveryMs: 300_000, graceMs: 30_000, overdue: false })]);
          expect(m.volatility!.inputs).toEqual([expect.objectContaining({ type: 'candle', interval: 'I1H', expectedEveryMs: 3_600_000 })]);
          expect(m.basis!.inputs.map((i) => i.type)).toEqual(['markPrice', 'spotPrice']);
          expect(m.liquidationCascades!.inputs.find((i) => i.type === 'liquidation')!.expectedEveryMs, 'irregular').toBeNull();
        }
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    expect([...staleSeen]).toEqual([]);
    expect(answered, 'the simulated market answered every analysis, repeatedly').toBeGreaterThanOrEqual(5);
  }, 60_000);
});
