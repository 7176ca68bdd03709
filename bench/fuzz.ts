/**
 * 10,000 seeded fuzzed operations (default; `tsx bench/fuzz.ts [count] [seed]`) against a real server on
 * 127.0.0.1: prints the share of HTTP 5xx and of uncoded errors (both must be 0).
 */
import { fuzz } from '../tests/support/fuzz.js';
import { startIsolatedTestApp } from '../tests/support/harness.js';

const count = Number(process.argv[2] ?? 10_000);
const seed = Number(process.argv[3] ?? 10);
// Refusal delays off: the fuzzer sends hundreds of refused documents on purpose (the contract is what is fuzzed).
const app = await startIsolatedTestApp({ REFUSAL_DELAY_MAX_MS: '0' });
try {
  const { errors, failures } = await fuzz(app.url, count, seed);
  console.log(`fuzz: ${count} operations, ${errors} errors, ${failures.length} failures (5xx or uncoded): ratio ${(failures.length / count).toFixed(4)}`);
  for (const f of failures.slice(0, 10)) console.log('  ', f);
  process.exitCode = failures.length === 0 ? 0 : 1;
} finally {
  await app.teardown();
}
