// Exploration harness (not a bench of record): runs several server variants side by side (same time, same
// load), each a fresh data dir, for --minutes, and prints RSS per minute and at the end.
//   npx tsx bench/support/variants.ts --minutes 3 --symbols 3 --variants variants.json
// variants.json: [{ "name": "...", "env": {...}, "flags": ["--max-semi-space-size=4"] }, ...]
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { serverEnv, spawnProbed, type Probed } from '../idle.js';

const { values: args } = parseArgs({ options: { minutes: { type: 'string', default: '3' }, symbols: { type: 'string', default: '3' }, variants: { type: 'string' } }, strict: false });
const variants: Array<{ name: string; env?: Record<string, string>; flags?: string[] }> = JSON.parse(await readFile(String(args.variants), 'utf8'));
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const minutes = Number(args.minutes);
console.log(`variants: ${variants.map((v) => v.name).join(', ')}; ${args.symbols} symbols, ${minutes} min; load ${load()}`);
const dirs: string[] = [];
const running: Array<{ name: string; p: Probed }> = [];
for (const v of variants) {
  const dir = await mkdtemp(join(tmpdir(), 'perpgraph-var-'));
  dirs.push(dir);
  const env = { ...serverEnv(Number(args.symbols), dir, false), ...(v.env ?? {}) };
  running.push({ name: v.name, p: await spawnProbed([...(v.flags ?? []), 'dist/main.js'], env, /perpgraph ready/) });
}
const t0 = performance.now();
for (let m = 1; m <= minutes; m += 1) {
  await sleep(Math.max(0, t0 + m * 60_000 - performance.now()));
  console.log(
    `min ${m}: ` +
      running.map(({ name, p }) => `${name} ${p.samples.at(-1)?.rssMb.toFixed(0)} (heap ${p.samples.at(-1)?.heapMb.toFixed(0)}/${p.samples.at(-1)?.heapTotalMb.toFixed(0)})`).join(' | ') +
      `; load ${load()}`,
  );
}
console.log('\nname                 rss last  rss max(after 1 min)  rss mean  heap total  after GC heap/rss  cpu core');
for (const { name, p } of running) {
  const warm = p.samples.filter((s) => s.atMs >= 60_000);
  const gc = await p.gc();
  const last = p.samples.at(-1)!;
  const mean = (f: (s: (typeof warm)[number]) => number) => warm.reduce((a, s) => a + f(s), 0) / warm.length;
  console.log(
    `${name.padEnd(20)} ${last.rssMb.toFixed(0).padStart(8)}  ${Math.max(...warm.map((s) => s.rssMb)).toFixed(0).padStart(20)}  ${mean((s) => s.rssMb).toFixed(0).padStart(8)}  ${last.heapTotalMb.toFixed(0).padStart(10)}  ${`${gc.heapMb.toFixed(0)}/${gc.rssMb.toFixed(0)}`.padStart(17)}  ${mean((s) => s.cpuShare).toFixed(3)}`,
  );
}
await Promise.all(running.map(({ p }) => p.stop()));
await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
console.log(`load at end ${load()}`);
process.exit(0);
