/**
 * CPU of the simulated market's start: the backfill of six symbols (`generateHistory`, what the history worker runs),
 * the market-wide backfill and the live model's creation plus its first simulated minute, three rounds at start
 * times 9 days apart.
 *
 *   npx tsx bench/sim-backfill.ts [checkout root, default .]   (compare two checkouts under the same load)
 */
const root = process.argv[2] ?? process.cwd();
const { generateHistory, generateMarketHistory, createMarketModel } = await import(`${root}/src/datasources/simulated/index.ts`);
const symbols = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'XRPUSDT', 'DOGEUSDT'];
const start = Date.UTC(2026, 11, 3, 12, 38, 17, 123);
for (let round = 0; round < 3; round++) {
  const s = start + round * 86_400_000 * 9;
  const c0 = process.cpuUsage();
  const histories = symbols.map((symbol) => generateHistory({ seed: 42, symbol, startTime: s }));
  const c1 = process.cpuUsage(c0);
  const m0 = process.cpuUsage();
  generateMarketHistory({ seed: 42, startTime: s });
  const m1 = process.cpuUsage(m0);
  const l0 = process.cpuUsage();
  const model = createMarketModel({ seed: 42, symbols, startTime: s, initialState: Object.fromEntries(histories.map((h) => [h.symbol, h.streamSeed])) });
  model.step(60_000);
  const l1 = process.cpuUsage(l0);
  const ms = (u: { user: number; system: number }) => ((u.user + u.system) / 1000).toFixed(0);
  console.log(`round ${round}: backfill 6 symbols ${ms(c1)} ms CPU, market-wide backfill ${ms(m1)} ms, model + first live minute ${ms(l1)} ms, 1d bars ${histories[0].candles.get('1d')?.length} 1w ${histories[0].candles.get('1w')?.length}`);
}
