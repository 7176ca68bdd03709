/**
 * Memory soak (issue 11, "flat memory"): the compiled server as `npm start` runs it (embedded PGlite,
 * simulated market, 20 symbols by default), with a steady client load from another process
 * (bench/support/soak-client.mjs): `--sockets` graphql-ws connections × `--subs` subscriptions each (a mix
 * of per-symbol analysis subscriptions, analysisUpdated, liquidations and whale trades over every symbol) and
 * `--qps` HTTP queries per second cycling through the dashboard query of each symbol, `markets(all)`,
 * persisted history (`snapshots`), the liquidation heatmap and health. The server reports from inside
 * (bench/support/probe.mjs) every `--probe-ms`; a line is printed every `--every` minutes with RSS, heap,
 * external memory, CPU share, event-loop delay and the client's answered/failed queries, p50/p99 and
 * messages received. The heap after a full GC is taken after the warm-up and at the end.
 *
 *   npm run bench:memory-soak -- --minutes 60            (the hour-long run; defaults: 20 symbols, 20×10 subs, 5 q/s)
 *   npm run bench:memory-soak -- --minutes 10 --heap-snapshots /tmp/snaps   (heap snapshots after warm-up and at the end)
 *
 * Summary: RSS and heap first → last from the end of the warm-up (`--warmup` minutes, default 2: the start-up
 * backfill and the first fills of every bounded cache), the ratio last/first (goal ≤ 1.1), the maximum RSS
 * (goal ≤ 400 MB at 20 symbols), heap after GC warm-up → end.
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { dashboardQuery } from './queries.js';
import { serverEnv, spawnProbed, startScript, symbolsOf } from './idle.js';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    symbols: { type: 'string', default: '20' },
    sockets: { type: 'string', default: '20' },
    subs: { type: 'string', default: '10' },
    qps: { type: 'string', default: '5' },
    every: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    'probe-ms': { type: 'string', default: '10000' },
    'heap-snapshots': { type: 'string' },
    'glibc-defaults': { type: 'boolean', default: false },
    postgres: { type: 'boolean', default: false },
  },
  strict: false,
});
const num = (v: unknown) => Number(v);
const minutes = num(args.minutes);
const every = num(args.every);
const warmup = num(args.warmup);
const symbols = symbolsOf(num(args.symbols));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (x: number, d = 0) => x.toFixed(d);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

const subscriptionFields = ['fundingUpdated', 'openInterestUpdated', 'longShortUpdated', 'basisUpdated', 'volumeUpdated', 'keyLevelsUpdated', 'liquidationCascadesUpdated', 'trapsUpdated'];
const subscriptions: Array<{ query: string; variables?: Record<string, unknown> }> = [];
for (const [i, symbol] of symbols.entries()) {
  const field = subscriptionFields[i % subscriptionFields.length]!;
  subscriptions.push({ query: `subscription S($s: String!) { ${field}(symbol: $s) { __typename meta { asOf stale } } }`, variables: { s: symbol } });
  subscriptions.push({
    query: 'subscription A($k: AnalysisKind!, $s: String!) { analysisUpdated(kind: $k, symbol: $s) { kind symbol asOf meta { stale } payload } }',
    variables: { k: ['VOLUME', 'FUNDING', 'MARKET_STRUCTURE', 'LIQUIDATION_HEATMAP'][i % 4], s: symbol },
  });
  subscriptions.push({ query: 'subscription L($s: String!) { liquidation(symbol: $s) { side price qty time } }', variables: { s: symbol } });
  subscriptions.push({ query: 'subscription W($s: String!) { whaleTrade(symbol: $s) { symbol price } }', variables: { s: symbol } });
}
const queries: Array<{ query: string; variables?: Record<string, unknown> }> = [
  ...symbols.map((s) => ({ query: dashboardQuery(s) })),
  { query: `query Batch { markets(symbols: ${JSON.stringify(symbols)}) { symbol price funding { rate score } volume { score } } }` },
  ...symbols.slice(0, 5).map((s) => ({
    query: 'query H($s: String!) { snapshots(kind: FUNDING, symbol: $s, limit: 50) { asOf payload } }',
    variables: { s },
  })),
  { query: `query Heat { market(symbol: "${symbols[0]}") { liquidationHeatmap { price pressureScore buckets { price } meta { asOf } } } }` },
  { query: '{ health { status } }' },
];

const dataDir = await mkdtemp(join(tmpdir(), 'perpgraph-memsoak-'));
const asNpmStart = args['glibc-defaults'] !== true;
const start = startScript();
console.log(
  `bench:memory-soak — ${minutes} min, ${symbols.length} symbols, ${num(args.sockets)} sockets × ${num(args.subs)} subscriptions, ${num(args.qps)} queries/s; ` +
    `server as npm start: ${asNpmStart ? `${JSON.stringify(start.env)} ${start.nodeFlags.join(' ')}` : 'no (glibc defaults)'}; load ${load()}`,
);
const probed = await spawnProbed([...(asNpmStart ? start.nodeFlags : []), 'dist/main.js'], serverEnv(symbols.length, dataDir, asNpmStart), /perpgraph ready: GraphiQL at (\S+)/);
const url = /GraphiQL at (http:\/\/\S+\/graphql)/.exec(probed.readyText)?.[1];
if (!url) throw new Error(`no URL in the ready line: ${probed.readyText.slice(-300)}`);

interface ClientReport {
  sent: number;
  ok: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  messages: number;
  messageBytes: number;
  wsErrors: number;
  wsCloses: number;
  openSockets: number;
  subscribed: number;
}
const client = fork(new URL('./support/soak-client.mjs', import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const reports: ClientReport[] = [];
client.on('message', (msg: { report?: ClientReport }) => {
  if (msg.report) reports.push(msg.report);
});
const cleanup = () => {
  client.kill('SIGKILL');
  probed.child.kill('SIGKILL');
};
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));
client.send({
  plan: {
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    queries,
    subscriptions,
    qps: num(args.qps),
    sockets: num(args.sockets),
    subsPerSocket: num(args.subs),
    reportMs: every * 60_000,
  },
});

const t0 = performance.now();
const snapDir = typeof args['heap-snapshots'] === 'string' ? args['heap-snapshots'] : undefined;
await sleep(warmup * 60_000);
const gcStart = await probed.gc();
if (snapDir) console.log(`  heap snapshot: ${await probed.heapSnapshot(join(snapDir, 'soak-start.heapsnapshot'))}`);
console.log(`  after warm-up (${warmup} min): heap after GC ${fmt(gcStart.heapMb)} MB, rss ${fmt(gcStart.rssMb)} MB`);

const rows: Array<{ minute: number; rssMb: number; heapMb: number }> = [];
for (let minute = warmup + every; minute <= minutes; minute += every) {
  await sleep(Math.max(0, t0 + minute * 60_000 - performance.now()));
  const window = probed.samples.filter((s) => s.atMs >= (minute - every) * 60_000);
  const last = probed.samples.at(-1)!;
  const cpu = window.reduce((a, s) => a + s.cpuShare, 0) / Math.max(1, window.length);
  const r = reports.at(-1);
  rows.push({ minute, rssMb: last.rssMb, heapMb: last.heapMb });
  console.log(
    `  min ${String(minute).padStart(3)}: rss ${fmt(last.rssMb)} MB (max ${fmt(Math.max(...window.map((s) => s.rssMb)))}), heap ${fmt(last.heapMb)}/${fmt(last.heapTotalMb)} MB, ` +
      `external ${fmt(last.externalMb)} MB, cpu ${fmt(cpu, 3)} core, eld p99 ${fmt(Math.max(...window.map((s) => s.eldP99Ms)), 1)} max ${fmt(Math.max(...window.map((s) => s.eldMaxMs)), 1)} ms` +
      (r
        ? `; client: ${r.ok}/${r.sent} ok, ${r.errors} failed, p50 ${fmt(r.p50Ms, 1)} p99 ${fmt(r.p99Ms, 1)} ms, ${r.messages} messages (${fmt(r.messageBytes / 2 ** 20, 1)} MB), ${r.openSockets} sockets, ${r.wsErrors} ws errors`
        : '') +
      `; load ${load()}`,
  );
}
const gcEnd = await probed.gc();
if (snapDir) console.log(`  heap snapshot: ${await probed.heapSnapshot(join(snapDir, 'soak-end.heapsnapshot'))}`);
client.send('stop');
await probed.stop();
await rm(dataDir, { recursive: true, force: true });

const warm = probed.samples.filter((s) => s.atMs >= warmup * 60_000);
const first = warm[0]!;
const last = warm.at(-1)!;
const totals = reports.reduce((a, r) => ({ sent: a.sent + r.sent, ok: a.ok + r.ok, messages: a.messages + r.messages }), { sent: 0, ok: 0, messages: 0 });
console.log(`\nsummary (from minute ${warmup}; load at end ${load()}):`);
console.log(
  `  rss ${fmt(first.rssMb)} → ${fmt(last.rssMb)} MB, last/first ${fmt(last.rssMb / first.rssMb, 2)} (goal ≤ 1.1), max ${fmt(Math.max(...warm.map((s) => s.rssMb)))} MB (goal ≤ 400 at 20 symbols)`,
);
console.log(`  heap ${fmt(first.heapMb)} → ${fmt(last.heapMb)} MB (last/first ${fmt(last.heapMb / first.heapMb, 2)}); heap after GC ${fmt(gcStart.heapMb)} → ${fmt(gcEnd.heapMb)} MB (${fmt(gcEnd.heapMb / gcStart.heapMb, 2)})`);
console.log(`  cpu ${fmt(warm.reduce((a, s) => a + s.cpuShare, 0) / warm.length, 3)} core; eld max ${fmt(Math.max(...warm.map((s) => s.eldMaxMs)), 1)} ms`);
console.log(`  client: ${totals.ok}/${totals.sent} queries answered, ${totals.messages} subscription messages`);
process.exit(0);
