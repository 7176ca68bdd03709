/**
 * Start → ready: spawns the server the way `npm start` does (`node scripts/start.mjs` → `node dist/main.js`,
 * embedded PGlite, simulated market) and times spawn → first HTTP 200 on `/ready`, against a hello-world node
 * process (spawn → exit) measured in the same run. Variants:
 *   - warm: the data dir already holds a migrated database (second and later starts);
 *   - fresh: an empty data dir (first start: PGlite initdb + migrations);
 *   - tsx warm: `tsx src/main.ts`, the transpile-at-start path `npm start` used before the compiled build.
 *
 *   - baseline warm / fresh (with BASELINE_ENTRY=path/to/other/dist/main.js): another build, e.g. an older
 *     checkout's, started the same way in the same rounds, for a before/after ratio under the same load.
 *
 *   npm run bench:start        (env: ROUNDS=3; needs dist/, which npm ci / npm run build produce)
 *
 * Goals (issue 11): warm ≤ 3 s, fresh ≤ 5 s on this 2-core machine. Bounded: each start gives up after 60 s.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const TIMEOUT_MS = Number(process.env.START_TIMEOUT_MS ?? 60_000);

async function hello(): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['-e', 'console.log("hello")'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => child.once('exit', resolve));
  return performance.now() - t0;
}

async function startToReady(args: string[], dataDir: string): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, MARKET_SOURCE: 'simulated', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`server exited with ${code} before ready`))));
  exited.catch(() => {});
  try {
    const port = await Promise.race([
      exited,
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no listening line within 60 s')), TIMEOUT_MS);
        createInterface({ input: child.stdout! }).on('line', (line) => {
          const match = /GraphiQL at http:\/\/[^:]+:(\d+)\/graphql/.exec(line);
          if (match) {
            clearTimeout(timer);
            resolve(Number(match[1]));
          }
        });
      }),
    ]);
    const deadline = t0 + TIMEOUT_MS;
    for (;;) {
      const res = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => undefined);
      await res?.arrayBuffer();
      if (res?.status === 200) return performance.now() - t0;
      if (performance.now() > deadline) throw new Error('/ready not 200 within 60 s');
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(undefined);
      const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve(undefined);
      });
    });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const compiled = ['scripts/start.mjs'];
const viaTsx = ['--import', 'tsx', 'src/main.ts'];
const baselineEntry = process.env.BASELINE_ENTRY;
const results: Record<string, number[]> = { hello: [], warm: [], fresh: [], 'tsx warm': [], ...(baselineEntry ? { 'baseline warm': [], 'baseline fresh': [] } : {}) };
const warmDir = await mkdtemp(join(tmpdir(), 'perpgraph-bench-start-'));
try {
  await startToReady(compiled, warmDir); // creates and migrates the database the warm runs reopen
  for (let round = 0; round < ROUNDS; round += 1) {
    results.hello!.push(await hello());
    results.warm!.push(await startToReady(compiled, warmDir));
    const freshDir = await mkdtemp(join(tmpdir(), 'perpgraph-bench-start-'));
    try {
      results.fresh!.push(await startToReady(compiled, freshDir));
    } finally {
      await rm(freshDir, { recursive: true, force: true });
    }
    results['tsx warm']!.push(await startToReady(viaTsx, warmDir));
    if (baselineEntry) {
      results['baseline warm']!.push(await startToReady([baselineEntry], warmDir));
      const baselineFresh = await mkdtemp(join(tmpdir(), 'perpgraph-bench-start-'));
      try {
        results['baseline fresh']!.push(await startToReady([baselineEntry], baselineFresh));
      } finally {
        await rm(baselineFresh, { recursive: true, force: true });
      }
    }
  }
} finally {
  await rm(warmDir, { recursive: true, force: true });
}

const base = median(results.hello!);
console.log(`start → /ready 200, median of ${ROUNDS} rounds (embedded PGlite, MARKET_SOURCE=simulated)`);
for (const [name, xs] of Object.entries(results)) {
  const m = median(xs);
  console.log(`${name.padEnd(14)} ${(m / 1000).toFixed(2).padStart(7)} s   ${(m / base).toFixed(1).padStart(6)} × node hello   (runs: ${xs.map((x) => (x / 1000).toFixed(2)).join(', ')})`);
}
