// `npm start`: runs the compiled server (dist/main.js) with plain node — no transpiler at start.
// dist/ is built by `npm install`/`npm ci` (postinstall). When an input of the build is newer than the last
// build (an edit, a git checkout, a changed lock file), it is rebuilt first; checking costs a few
// milliseconds of stat calls.
//
// The build is one esbuild bundle per entry point (src/main.ts → dist/main.js, plus the backfill worker and
// the bench's engine-only baseline), not a file-per-module tsc emit: resolving, reading and compiling ~1 200
// ES modules one by one was the largest part of a start (≈ 1 s of CPU); one file loads in a fraction of it.
// Bundling does not type-check: `npm run typecheck` (and `npm test`) do. Packages that locate files next to
// their own code (PGlite's wasm and data, Prisma's runtime, pino's transport worker, ioredis' package.json)
// or load optional native modules stay external and load from node_modules as before; GraphiQL's 9 MB page
// is imported only when /graphql is first opened in a browser. The build also writes dist/pglite-template, an
// initialised and migrated embedded database that a first start copies instead of running initdb.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = path.join(root, 'dist');
const stamp = path.join(outdir, '.build-stamp');
const entry = path.join(outdir, 'main.js');

/** Entry points: output name (in dist/) → source. */
export const ENTRY_POINTS = {
  main: 'src/main.ts',
  'history-worker': 'src/datasources/simulated/history-worker.ts',
  'on-demand-worker': 'src/engine/on-demand-worker.ts',
  'backtest-worker': 'src/backtest/backtest-worker.ts',
  'engine-alone': 'bench/support/engine-alone.ts',
  'pglite-template': 'src/db/pglite-template-cli.ts',
  // `npm run apikey -- …` (src/auth/apikey-cli.ts): runs from the build, so it works in the image without tsx.
  apikey: 'src/auth/apikey-cli.ts',
};

/** Imported at run time from node_modules rather than bundled (see the header). */
export const EXTERNAL = [
  '@electric-sql/pglite',
  '@prisma/client',
  '@graphql-yoga/render-graphiql',
  'pino',
  // loaded only when asked for (LOG_FORMAT=pretty, OTEL_EXPORTER_OTLP_ENDPOINT): not parsed on every start
  'pino-pretty',
  '@envelop/opentelemetry',
  '@opentelemetry/*',
  'ioredis',
  // optional native helpers of pg and ws, absent unless installed
  'pg-native',
  'bufferutil',
  'utf-8-validate',
];

/** Newest mtime among the inputs of the build (sources, configuration, the lock file). */
function newestInput() {
  let newest = 0;
  const visit = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  visit(path.join(root, 'src'));
  // The template database holds the migrations: a new or changed one rebuilds it.
  for (const e of readdirSync(path.join(root, 'prisma', 'migrations'), { withFileTypes: true })) {
    const sql = path.join(root, 'prisma', 'migrations', e.name, 'migration.sql');
    if (e.isDirectory() && existsSync(sql)) newest = Math.max(newest, statSync(sql).mtimeMs);
  }
  for (const f of ['tsconfig.json', 'package-lock.json', 'scripts/start.mjs', ...Object.values(ENTRY_POINTS)]) {
    const p = path.join(root, f);
    if (existsSync(p)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Bundles every entry point into `dir` (default dist/). */
export async function bundle(dir = outdir) {
  const esbuild = await import('esbuild');
  // Nothing of an older build (a per-module tsc emit, a removed entry) is left to be loaded by mistake;
  // the dashboard (dist/web) has its own build and stamp and is kept.
  if (existsSync(dir)) for (const e of readdirSync(dir)) if (e !== 'web') rmSync(path.join(dir, e), { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(ENTRY_POINTS).map(([name, src]) => [name, path.join(root, src)])),
    outdir: dir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    sourcemap: true,
    // Source maps are read by `node --enable-source-maps` when wanted; keeping names makes profiles readable.
    keepNames: false,
    external: EXTERNAL,
    // CommonJS dependencies inside an ES module bundle call require() for node builtins.
    banner: { js: "import { createRequire as __perpgraphRequire } from 'node:module';\nconst require = __perpgraphRequire(import.meta.url);" },
    logLevel: 'warning',
    // Memory: V8 keeps every script's source text in the heap, as Latin-1 when each character fits in one
    // byte, otherwise as UTF-16 — twice the size. `ascii` escapes non-ASCII characters in strings, regular
    // expressions and identifiers; comments (ours and the dependencies' ’, ≤, −) are copied as they are, so
    // they are replaced below. dist/main.js's 5 MB was held as a 10 MB two-byte string.
    charset: 'ascii',
  });
  asciiComments(dir);
}

/**
 * Replaces each non-ASCII UTF-16 unit left in the bundles (only in comments once `charset: 'ascii'`
 * escaped the code) with `?`: one unit for one, so source-map columns stay right.
 */
function asciiComments(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isFile() || !e.name.endsWith('.js')) continue;
    const file = path.join(dir, e.name);
    const text = readFileSync(file, 'utf8');
    // eslint-disable-next-line no-control-regex
    if (/[^\x00-\x7f]/.test(text)) writeFileSync(file, text.replace(/[^\x00-\x7f]/g, '?'));
  }
}

async function build({ force = false } = {}) {
  if (!force && existsSync(stamp) && existsSync(entry) && statSync(stamp).mtimeMs >= newestInput()) return;
  const started = Date.now();
  process.stderr.write('perpgraph: bundling src/ into dist/ (sources changed since the last build)…\n');
  // The stamp's time is taken before bundling, so an edit made during the build triggers the next one.
  const before = new Date();
  try {
    await bundle();
  } catch (error) {
    process.stderr.write(`perpgraph: build failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  // The embedded database a first start copies instead of running initdb (src/db/pglite-seed.ts). Without
  // it a first start still works, it just initialises the database itself.
  const template = spawnSync(process.execPath, [path.join(outdir, 'pglite-template.js'), path.join(outdir, 'pglite-template')], { stdio: 'inherit' });
  if (template.status !== 0) process.stderr.write(`perpgraph: could not create dist/pglite-template (exit ${template.status}); a first start will run initdb\n`);
  writeFileSync(stamp, `${before.toISOString()}\n`);
  utimesSync(stamp, before, before);
  process.stderr.write(`perpgraph: built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

// --- The dashboard (web/ → dist/web) -----------------------------------------------------------------------
// Vite builds web/ (its config: web/vite.config.ts) when a file under web/ (or the lock file, or this
// script) is newer than dist/web/.build-stamp. A failed dashboard build is reported and does not stop the
// server: it starts and `/` says the dashboard is not built.
const webDir = path.join(root, 'web');
const webOut = path.join(outdir, 'web');
const webStamp = path.join(webOut, '.build-stamp');

function newestWebInput() {
  let newest = 0;
  const visit = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules') continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) visit(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  visit(webDir);
  for (const f of ['package-lock.json', 'scripts/start.mjs']) newest = Math.max(newest, statSync(path.join(root, f)).mtimeMs);
  return newest;
}

/** Builds the dashboard into `outDir` (default dist/web) with Vite's API; resolves true when it was built. */
export async function buildWeb(outDir = webOut) {
  const { build: viteBuild } = await import('vite');
  await viteBuild({ configFile: path.join(webDir, 'vite.config.ts'), build: { outDir, emptyOutDir: true }, logLevel: 'warn' });
  return existsSync(path.join(outDir, 'index.html'));
}

async function buildDashboard({ force = false } = {}) {
  if (!existsSync(webDir)) return;
  if (!force && existsSync(webStamp) && existsSync(path.join(webOut, 'index.html')) && statSync(webStamp).mtimeMs >= newestWebInput()) return;
  const started = Date.now();
  process.stderr.write('perpgraph: building the dashboard web/ into dist/web (sources changed since the last build)…\n');
  const before = new Date();
  try {
    await buildWeb();
  } catch (error) {
    process.stderr.write(`perpgraph: dashboard build failed (the server still starts; \`/\` says the dashboard is not built): ${error instanceof Error ? error.message : String(error)}\n`);
    return;
  }
  writeFileSync(webStamp, `${before.toISOString()}\n`);
  utimesSync(webStamp, before, before);
  process.stderr.write(`perpgraph: built dist/web in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const buildOnly = process.argv.includes('--build-only');
  await build({ force: process.argv.includes('--force') });
  await buildDashboard({ force: process.argv.includes('--force') });
  if (!buildOnly) await import(pathToFileURL(entry).href);
}
