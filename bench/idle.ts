/**
 * The idle server: no clients, simulated market, compiled build (`node dist/main.js`, what `npm start` runs).
 * Each target runs in its own process with bench/support/probe.mjs preloaded, which reports from inside the
 * process every PROBE_MS: CPU share (process.cpuUsage per wall second), RSS, heap used, and event-loop delay
 * p99 / max (perf_hooks histogram, reset per sample). Targets, one after the other in the same run:
 *   - bare node: a process that only holds a timer (the floor of RSS and CPU);
 *   - engine alone: simulated market + store + every analysis, no database/HTTP/writer (bench:engine's setup);
 *   - server, 20 symbols, embedded PGlite (or DATABASE_URL with --postgres);
 *   - server, 3 symbols, embedded defaults (issue 10's "RSS ≤ 300 MB on the embedded defaults").
 * The bench marks the ready line in the probe, so the first minute after ready (backfill delivered, first
 * computations) is reported on its own, with the same goals, next to bare node's first minute.
 * Prints one line per minute per target and a summary with the goals (issue 11): ≤ 0.2 core, RSS ≤ 400 MB
 * and flat (last/first after the first minute), ELD p99 ≤ 20 ms, max ≤ 100 ms; 3 symbols embedded ≤ 300 MB.
 *
 *   npm run bench:idle -- --minutes 5            (all targets; --only server20|server3|engine|bare)
 *   npm run bench:idle -- --minutes 2 --only server3-noflags,server3   (npm start without / with its V8 heap flags;
 *                                                  PERPGRAPH_ALLOCATOR=glibc in the environment: the fallback without jemalloc)
 *   npm run bench:idle -- --minutes 60 --only server20      (the hour-long flatness check)
 *   npm run bench:idle -- --minutes 3 --heap-snapshots /tmp/snaps   (v8 heap snapshots at start and end)
 *   npm run bench:idle -- --minutes 1 --probe-ms 1000 --only bare,server3 --entry other/dist/main.js   (another build)
 *
 * Needs dist/ (npm ci / npm run build). Bounded: every child is killed at the end or when this exits.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '3' },
    only: { type: 'string' },
    postgres: { type: 'boolean', default: false },
    'heap-snapshots': { type: 'string' },
    'probe-ms': { type: 'string', default: '5000' },
    // another build of the server to compare (e.g. an older checkout's dist/main.js); default dist/main.js
    entry: { type: 'string', default: 'dist/main.js' },
  },
  // bench/memory-soak.ts imports this module with options of its own.
  strict: false,
});
const minutes = Number(args.minutes);
const probeMs = Number(args['probe-ms']);
const BASE = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'XRPUSDT', 'DOGEUSDT'];
export const symbolsOf = (n: number) => Array.from({ length: n }, (_, i) => BASE[i] ?? `SIM${i}USDT`);

export interface ProbeSample {
  probe: string;
  cpuShare: number;
  rssMb: number;
  heapMb: number;
  heapTotalMb: number;
  externalMb: number;
  arrayBuffersMb: number;
  eldP99Ms: number;
  eldMaxMs: number;
}

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export interface Probed {
  child: ChildProcess;
  /** The stdout text up to and including the ready line (e.g. the server's URL with its port). */
  readyText: string;
  samples: Array<ProbeSample & { atMs: number }>;
  /** When the ready line was seen (ms since spawn); sample windows after it start at or after ready. */
  readyAtMs: number;
  /** Sends 'gc' and resolves with the heap and RSS after a full collection. */
  gc(): Promise<{ heapMb: number; rssMb: number }>;
  heapSnapshot(path: string): Promise<string>;
  stop(): Promise<void>;
}

/** Spawns `node --expose-gc --import probe.mjs …args` with an IPC channel; resolves once stdout printed `readyLine`. */
export async function spawnProbed(nodeArgs: string[], env: Record<string, string>, readyLine: RegExp): Promise<Probed> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', './bench/support/probe.mjs', ...nodeArgs], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PROBE_MS: String(probeMs), ...env },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  children.add(child);
  const t0 = performance.now();
  const samples: Probed['samples'] = [];
  const waiters: Array<(msg: Record<string, unknown>) => boolean> = [];
  child.on('message', (msg: Record<string, unknown>) => {
    if (msg.probe === 'tick') samples.push({ ...(msg as unknown as ProbeSample), atMs: performance.now() - t0 });
    for (let i = waiters.length - 1; i >= 0; i -= 1) if (waiters[i]!(msg)) waiters.splice(i, 1);
  });
  let readyText = '';
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${nodeArgs.join(' ')}: not ready within 120 s`)), 120_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (readyLine.test(out)) {
        clearTimeout(timer);
        readyText = out;
        out = '';
        resolve();
      }
      if (out.length > 100_000) out = out.slice(-10_000);
    });
    child.once('exit', (code) => reject(new Error(`${nodeArgs.join(' ')} exited with ${code}`)));
  });
  child.stdout!.resume();
  const readyAtMs = performance.now() - t0;
  child.send('mark');
  const ask = <T>(message: unknown, match: (msg: Record<string, unknown>) => boolean) =>
    new Promise<T>((resolve) => {
      waiters.push((msg) => (match(msg) ? (resolve(msg as T), true) : false));
      child.send(message as string);
    });
  return {
    child,
    readyText,
    samples,
    readyAtMs,
    gc: () => ask('gc', (m) => m.probe === 'gc'),
    heapSnapshot: async (path) => (await ask<{ path: string }>({ heapSnapshot: path }, (m) => m.probe === 'heapSnapshot')).path,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(kill);
          children.delete(child);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/**
 * How `npm start` runs the server: the allocator environment scripts/start.sh sets (jemalloc preloaded when
 * installed, else glibc tuned) and the V8 heap flags it passes to node (`sh scripts/start.sh --print-env`),
 * so the benches measure what a user runs.
 * The `-glibc` targets measure without it (glibc defaults, the baseline).
 */
export function startScript(): { env: Record<string, string>; nodeFlags: string[] } {
  const out = execFileSync('sh', [new URL('../scripts/start.sh', import.meta.url).pathname, '--print-env'], { encoding: 'utf8', env: process.env });
  const env: Record<string, string> = {};
  let nodeFlags: string[] = [];
  for (const line of out.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    // The V8 flags start.sh passes to node (heap sizing), not an environment variable of the server.
    if (line.slice(0, eq) === 'PERPGRAPH_NODE_FLAGS') nodeFlags = line.slice(eq + 1).split(/\s+/).filter(Boolean);
    else env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return { env, nodeFlags };
}

const fmt = (x: number, d = 0) => x.toFixed(d);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Summary {
  name: string;
  cpuShare: number;
  rssFirstMb: number;
  rssLastMb: number;
  rssMaxMb: number;
  heapFirstMb: number;
  heapLastMb: number;
  gcHeapMb: number;
  gcRssMb: number;
  eldP99Ms: number;
  eldMaxMs: number;
  /** The first minute after the ready line (backfill delivered, first computations): worst window p99, max. */
  firstMinute?: { eldP99Ms: number; eldMaxMs: number; windows: number };
}

/** Event-loop delay of the windows that start at ready and end within the minute after it. */
export function firstMinute(probed: Pick<Probed, 'samples' | 'readyAtMs'>): Summary['firstMinute'] {
  const ws = probed.samples.filter((s) => s.atMs > probed.readyAtMs + 1 && s.atMs <= probed.readyAtMs + 60_000 + probeMs);
  if (ws.length === 0) return undefined;
  return { eldP99Ms: Math.max(...ws.map((s) => s.eldP99Ms)), eldMaxMs: Math.max(...ws.map((s) => s.eldMaxMs)), windows: ws.length };
}

/** Prints a line per minute; summarises from the end of the first minute (start-up backfill excluded). */
export function summarise(name: string, samples: Probed['samples'], afterGc: { heapMb: number; rssMb: number }): Summary {
  const warm = samples.filter((s) => s.atMs >= 60_000);
  const use = warm.length >= 2 ? warm : samples;
  const first = use[0]!;
  const last = use.at(-1)!;
  const p99s = use.map((s) => s.eldP99Ms).sort((a, b) => a - b);
  return {
    name,
    cpuShare: use.reduce((a, s) => a + s.cpuShare, 0) / use.length,
    rssFirstMb: first.rssMb,
    rssLastMb: last.rssMb,
    rssMaxMb: Math.max(...use.map((s) => s.rssMb)),
    heapFirstMb: first.heapMb,
    heapLastMb: last.heapMb,
    gcHeapMb: afterGc.heapMb,
    gcRssMb: afterGc.rssMb,
    // The p99 of the sample windows' p99s (each window is PROBE_MS long) and the longest delay of all.
    eldP99Ms: p99s[Math.min(p99s.length - 1, Math.floor(p99s.length * 0.99))]!,
    eldMaxMs: Math.max(...use.map((s) => s.eldMaxMs)),
  };
}

function printMinute(name: string, samples: Probed['samples'], minute: number): void {
  const inMinute = samples.filter((s) => s.atMs >= (minute - 1) * 60_000 && s.atMs < minute * 60_000);
  if (inMinute.length === 0) return;
  const last = inMinute.at(-1)!;
  const cpu = inMinute.reduce((a, s) => a + s.cpuShare, 0) / inMinute.length;
  console.log(
    `  ${name.padEnd(14)} min ${String(minute).padStart(3)}: cpu ${fmt(cpu, 3)} core, rss ${fmt(last.rssMb)} MB, heap ${fmt(last.heapMb)}/${fmt(last.heapTotalMb)} MB, external ${fmt(last.externalMb)} MB (array buffers ${fmt(last.arrayBuffersMb)}), ` +
      `eld p99 ${fmt(Math.max(...inMinute.map((s) => s.eldP99Ms)), 1)} ms max ${fmt(Math.max(...inMinute.map((s) => s.eldMaxMs)), 1)} ms; load ${load()}`,
  );
}

async function observe(name: string, probed: Probed, runMinutes: number): Promise<Summary> {
  const snapDir = typeof args['heap-snapshots'] === 'string' ? args['heap-snapshots'] : undefined;
  if (snapDir) await sleep(60_000).then(async () => console.log(`  heap snapshot: ${await probed.heapSnapshot(join(snapDir, `${name}-start.heapsnapshot`))}`));
  const startedMinute = snapDir ? 2 : 1;
  for (let m = startedMinute; m <= runMinutes; m += 1) {
    await sleep(60_000);
    printMinute(name, probed.samples, m);
  }
  const afterGc = await probed.gc();
  if (snapDir) console.log(`  heap snapshot: ${await probed.heapSnapshot(join(snapDir, `${name}-end.heapsnapshot`))}`);
  await probed.stop();
  const first = firstMinute(probed);
  return { ...summarise(name, probed.samples, afterGc), ...(first ? { firstMinute: first } : {}) };
}

/** The environment of a server target: no clients, simulated market, a fresh data dir. */
export function serverEnv(symbols: number, dataDir: string, asNpmStart = true): Record<string, string> {
  const env: Record<string, string> = {
    ...(asNpmStart ? startScript().env : {}),
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    MARKET_SOURCE: 'simulated',
    LOG_LEVEL: 'info',
    SYMBOLS: symbolsOf(symbols).join(','),
  };
  if (args.postgres) env.DATABASE_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test?schema=bench_idle';
  return env;
}

async function server(name: string, symbols: number, runMinutes: number, asNpmStart = true, withNodeFlags = true): Promise<Summary> {
  const dataDir = await mkdtemp(join(tmpdir(), 'perpgraph-idle-'));
  try {
    const flags = asNpmStart && withNodeFlags ? startScript().nodeFlags : [];
    const probed = await spawnProbed([...flags, String(args.entry)], serverEnv(symbols, dataDir, asNpmStart), /perpgraph ready/);
    return await observe(name, probed, runMinutes);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const only = typeof args.only === 'string' ? args.only : undefined;
  const want = (n: string) => only === undefined || only.split(',').includes(n);
  console.log(`bench:idle — ${minutes} min per target, probe every ${probeMs} ms; load at start ${load()}`);
  const results: Summary[] = [];
  if (want('bare')) {
    const bare = await spawnProbed(['-e', 'console.log("READY"); setInterval(() => {}, 1 << 30)'], {}, /READY/);
    await sleep(Math.min(60_000, minutes * 60_000) + 2 * probeMs);
    const afterGc = await bare.gc();
    await bare.stop();
    const first = firstMinute(bare);
    results.push({ ...summarise('bare node', bare.samples, afterGc), ...(first ? { firstMinute: first } : {}) });
  }
  if (want('engine')) {
    const engine = await spawnProbed(['dist/engine-alone.js'], { SYMBOLS: symbolsOf(20).join(',') }, /READY/);
    results.push(await observe('engine alone', engine, minutes));
  }
  if (want('server20-glibc')) results.push(await server('server 20 glibc', 20, minutes, false));
  if (want('server20-noflags')) results.push(await server('server 20 nofl', 20, minutes, true, false));
  if (want('server20')) results.push(await server('server 20 sym', 20, minutes));
  if (want('server3-glibc')) results.push(await server('server 3 glibc', 3, minutes, false));
  if (want('server3-noflags')) results.push(await server('server 3 nofl', 3, minutes, true, false));
  if (want('server3')) results.push(await server('server 3 sym', 3, minutes));

  console.log(`\nsummary (from minute 1 on; load at end ${load()}):`);
  console.log('target          cpu core  rss first→last (max) MB  last/first  heap first→last MB  heap after GC  eld p99 ms  eld max ms');
  for (const r of results) {
    console.log(
      `${r.name.padEnd(15)} ${fmt(r.cpuShare, 3).padStart(8)}  ${`${fmt(r.rssFirstMb)}→${fmt(r.rssLastMb)} (${fmt(r.rssMaxMb)})`.padStart(23)}  ${fmt(r.rssLastMb / r.rssFirstMb, 2).padStart(10)}  ${`${fmt(r.heapFirstMb)}→${fmt(r.heapLastMb)}`.padStart(18)}  ${fmt(r.gcHeapMb).padStart(13)}  ${fmt(r.eldP99Ms, 1).padStart(10)}  ${fmt(r.eldMaxMs, 1).padStart(10)}`,
    );
  }
  console.log('\nfirst minute after the ready line (sample windows from ready on; goal p99 ≤ 20 ms, max ≤ 100 ms):');
  for (const r of results) {
    if (r.firstMinute) console.log(`${r.name.padEnd(15)} eld p99 ${fmt(r.firstMinute.eldP99Ms, 1).padStart(7)} ms (worst window)  max ${fmt(r.firstMinute.eldMaxMs, 1).padStart(7)} ms  (${r.firstMinute.windows} windows)`);
  }
  const engine = results.find((r) => r.name === 'engine alone');
  for (const r of results.filter((x) => x.name.startsWith('server'))) {
    const goalRss = r.name.includes(' 3 ') ? 300 : 400;
    console.log(
      `${r.name}: cpu ${fmt(r.cpuShare, 3)} core (goal ≤ 0.2${engine ? `; ${fmt(r.cpuShare / engine.cpuShare, 2)}× the engine alone` : ''}), rss max ${fmt(r.rssMaxMb)} MB (goal ≤ ${goalRss}), ` +
        `last/first ${fmt(r.rssLastMb / r.rssFirstMb, 2)} (flat ≤ 1.1), eld p99 ${fmt(r.eldP99Ms, 1)} ms (≤ 20), max ${fmt(r.eldMaxMs, 1)} ms (≤ 100)`,
    );
  }
  process.exit(0);
}
