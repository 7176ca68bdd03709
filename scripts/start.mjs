// `npm start`: runs the compiled server (dist/main.js) with plain node — no transpiler at start.
// dist/ is built by `npm install`/`npm ci` (postinstall). When a source file is newer than the last build
// (an edit, a git checkout), it is rebuilt first; checking costs a few milliseconds of stat calls, while even
// a no-op incremental `tsc` run takes seconds, which is why the check is not left to tsc.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = path.join(root, 'dist', '.build-stamp');
const entry = path.join(root, 'dist', 'main.js');

/** Newest mtime among the inputs of the build (sources, tsconfigs). */
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
  for (const f of ['tsconfig.json', 'tsconfig.build.json']) newest = Math.max(newest, statSync(path.join(root, f)).mtimeMs);
  return newest;
}

function build({ force = false } = {}) {
  if (!force && existsSync(stamp) && existsSync(entry) && statSync(stamp).mtimeMs >= newestInput()) return;
  const started = Date.now();
  process.stderr.write('perpgraph: compiling src/ to dist/ (sources changed since the last build)…\n');
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  // The stamp's time is taken before compiling, so an edit made during the build triggers the next one.
  const before = new Date();
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (result.status !== 0) {
    // tsc still emits on type errors; run what was emitted (as tsx did) but say so, and rebuild next time.
    process.stderr.write(`perpgraph: tsc reported errors (exit ${result.status}); starting anyway — run npm run typecheck\n`);
    if (!existsSync(entry)) process.exit(1);
    return;
  }
  writeFileSync(stamp, `${before.toISOString()}\n`);
  utimesSync(stamp, before, before);
  process.stderr.write(`perpgraph: built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

const buildOnly = process.argv.includes('--build-only');
build({ force: process.argv.includes('--force') });
if (!buildOnly) await import(pathToFileURL(entry).href);
