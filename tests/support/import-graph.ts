import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * The project's import graph, read with the TypeScript compiler's own pre-processor (static imports,
 * `import type`, `export … from`, dynamic `import()`), limited to relative specifiers inside `root`.
 *
 * Why not dependency-cruiser or madge: dependency-cruiser ≥ 17 declares Node ≥ 22 (the project supports
 * 20.19, and `npm ci` must print no EBADENGINE), madge finds cycles but not layer rules; the compiler is
 * already a dependency and resolves exactly what `tsc` resolves here (`.js` specifiers → `.ts` files).
 */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

function listTs(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return listTs(p);
    return /\.(ts|mts|cts)$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

function resolveSpecifier(fromFile: string, spec: string): string | null {
  const base = resolve(dirname(fromFile), spec);
  const candidates = [base.replace(/\.(m|c)?js$/, '.$1ts'), base, `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? null;
}

/**
 * Files under `root` (paths relative to it, `/`-separated) → the files under `root` they import.
 * `skip`: top-level folders left out (generated code, whose internal cycles are the generator's business).
 */
export function readImportGraph(root: string, skip: readonly string[] = []): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const file of listTs(root).filter((f) => !skip.includes(layerOf(relative(root, f).split('\\').join('/'))))) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = new Set<string>();
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = resolveSpecifier(file, fileName);
      if (target?.startsWith(root)) targets.add(relative(root, target).split('\\').join('/'));
    }
    graph.set(relative(root, file).split('\\').join('/'), [...targets].sort());
  }
  return graph;
}

/** Every import cycle, as its strongly connected component (Tarjan), sorted; self-imports included. */
export function findCycles(graph: ImportGraph): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return cycles.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** The layer of a file: its first directory under the root, or the file's own name at the top. */
export const layerOf = (file: string): string => (file.includes('/') ? file.slice(0, file.indexOf('/')) : file.replace(/\.ts$/, ''));

/** `from → to (layer → layer)` for each import that a rule forbids: `forbidden[layer]` lists what it must not import. */
export function layerViolations(graph: ImportGraph, forbidden: Readonly<Record<string, readonly string[]>>): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    const banned = forbidden[layerOf(from)];
    if (!banned) continue;
    for (const to of targets) if (banned.includes(layerOf(to))) out.push(`${from} → ${to} (${layerOf(from)} → ${layerOf(to)})`);
  }
  return out.sort();
}
