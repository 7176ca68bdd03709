import { parseArgs } from 'node:util';
import { startFakeBinance } from './fake-binance.js';

/**
 * Starts the fake Binance (futures REST, `/futures/data`, and the spot endpoints on the same server) and
 * prints its URL, for running the server or a bench against it by hand:
 *
 *   npx tsx tests/support/fake-binance-cli.ts --port 9100 --symbols BTCUSDT,ETHUSDT,SOLUSDT
 *   BINANCE_FAPI_URL=http://127.0.0.1:9100 BINANCE_SPOT_URL=http://127.0.0.1:9100 MARKET_SOURCE=binance npm start
 *
 * `--enforce-limits` answers 429 once a venue's weight passes its published per-minute limit.
 * Stops on SIGINT/SIGTERM.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    symbols: { type: 'string', default: 'BTCUSDT,ETHUSDT,SOLUSDT' },
    'enforce-limits': { type: 'boolean', default: false },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`--port must be an integer in 0..65535, got ${JSON.stringify(values.port)}`);
  process.exit(2);
}
const symbols = values.symbols
  .split(',')
  .map((s) => s.trim().toUpperCase())
  .filter((s) => s.length > 0);

const fake = await startFakeBinance({ symbols, port, enforceWeightLimit: values['enforce-limits'] });
console.log(fake.url);

const shutdown = () => {
  fake.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
