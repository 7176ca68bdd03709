// Compares two V8 heap snapshots (bench:memory-soak / bench:idle --heap-snapshots): per constructor (object
// nodes by class name, other nodes by type) the count and self size in each, sorted by growth, and for the
// classes that grew most a few retainer chains from the later snapshot (what holds them).
//
//   node --max-old-space-size=8000 bench/support/heap-diff.mjs early.heapsnapshot late.heapsnapshot [--top 25] [--chains 6]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' }, chains: { type: 'string', default: '6' }, class: { type: 'string', multiple: true }, paths: { type: 'string', multiple: true }, depth: { type: 'string', default: '6' } },
});
if (positionals.length !== 2) {
  console.error('usage: heap-diff.mjs early.heapsnapshot late.heapsnapshot [--top N] [--chains N] [--class Name …]');
  process.exit(2);
}

function load(path) {
  const snap = JSON.parse(readFileSync(path, 'utf8'));
  const meta = snap.snapshot.meta;
  const nf = meta.node_fields;
  const ef = meta.edge_fields;
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const N = nf.length;
  const E = ef.length;
  const iType = nf.indexOf('type');
  const iName = nf.indexOf('name');
  const iSize = nf.indexOf('self_size');
  const iEdges = nf.indexOf('edge_count');
  const eType = ef.indexOf('type');
  const eName = ef.indexOf('name_or_index');
  const eTo = ef.indexOf('to_node');
  const nodes = snap.nodes;
  const edges = snap.edges;
  const strings = snap.strings;
  const count = nodes.length / N;
  const firstEdge = new Uint32Array(count + 1);
  for (let i = 0, e = 0; i < count; i += 1) {
    firstEdge[i] = e;
    e += nodes[i * N + iEdges] * E;
    firstEdge[i + 1] = e;
  }
  const key = (i) => {
    const t = nodeTypes[nodes[i * N + iType]];
    if (t === 'object' || t === 'closure') return `${t}:${strings[nodes[i * N + iName]]}`;
    return `(${t})`;
  };
  const byKey = new Map();
  for (let i = 0; i < count; i += 1) {
    const k = key(i);
    const row = byKey.get(k) ?? { count: 0, size: 0 };
    row.count += 1;
    row.size += nodes[i * N + iSize];
    byKey.set(k, row);
  }
  return { snap, nodes, edges, strings, N, E, iType, iName, iSize, eType, eName, eTo, nodeTypes, edgeTypes, count, firstEdge, key, byKey };
}

const a = load(positionals[0]);
const b = load(positionals[1]);
const total = (h) => [...h.byKey.values()].reduce((s, r) => s + r.size, 0);
const mb = (x) => (x / 2 ** 20).toFixed(2);
console.log(`early: ${a.count} nodes, ${mb(total(a))} MB self; late: ${b.count} nodes, ${mb(total(b))} MB self`);
const keys = new Set([...a.byKey.keys(), ...b.byKey.keys()]);
const rows = [...keys].map((k) => {
  const x = a.byKey.get(k) ?? { count: 0, size: 0 };
  const y = b.byKey.get(k) ?? { count: 0, size: 0 };
  return { k, c0: x.count, c1: y.count, s0: x.size, s1: y.size, ds: y.size - x.size };
});
rows.sort((p, q) => q.ds - p.ds);
const top = Number(opts.top);
console.log('\ngrowth by constructor (self size):');
console.log('  Δ MB      early MB  late MB   early n    late n     constructor');
for (const r of rows.slice(0, top)) {
  console.log(`  ${mb(r.ds).padStart(8)}  ${mb(r.s0).padStart(8)}  ${mb(r.s1).padStart(8)}  ${String(r.c0).padStart(9)}  ${String(r.c1).padStart(9)}  ${r.k.slice(0, 100)}`);
}
console.log('\nlargest in the late snapshot:');
for (const r of [...rows].sort((p, q) => q.s1 - p.s1).slice(0, 15)) {
  console.log(`  ${mb(r.s1).padStart(8)} MB  ${String(r.c1).padStart(9)}  ${r.k.slice(0, 100)}`);
}

// Retainer chains in the late snapshot for the classes that grew most (or the --class ones).
const h = b;
const retainers = new Map();
function buildRetainers() {
  // reverse edges: to_node index -> [from node, edge index]
  const counts = new Uint32Array(h.count);
  for (let e = 0; e < h.edges.length; e += h.E) counts[h.edges[e + h.eTo] / h.N] += 1;
  const start = new Uint32Array(h.count + 1);
  for (let i = 0; i < h.count; i += 1) start[i + 1] = start[i] + counts[i];
  const fill = new Uint32Array(h.count);
  const from = new Uint32Array(start[h.count]);
  const via = new Uint32Array(start[h.count]);
  for (let i = 0; i < h.count; i += 1) {
    for (let e = h.firstEdge[i]; e < h.firstEdge[i + 1]; e += h.E) {
      const to = h.edges[e + h.eTo] / h.N;
      const slot = start[to] + fill[to]++;
      from[slot] = i;
      via[slot] = e;
    }
  }
  retainers.set('x', { start, from, via });
}
function edgeLabel(e) {
  const t = h.edgeTypes[h.edges[e + h.eType]];
  const n = h.edges[e + h.eName];
  return t === 'element' || t === 'hidden' ? `[${n}]` : t === 'weak' ? `(weak ${h.strings[n]})` : String(h.strings[n]);
}
function chain(node, depth = 12) {
  const { start, from, via } = retainers.get('x');
  const parts = [h.key(node)];
  let cur = node;
  const seen = new Set([cur]);
  for (let d = 0; d < depth; d += 1) {
    let pick = -1;
    let pickEdge = -1;
    for (let s = start[cur]; s < start[cur + 1]; s += 1) {
      const f = from[s];
      const et = h.edgeTypes[h.edges[via[s] + h.eType]];
      if (et === 'weak' || seen.has(f)) continue;
      const fk = h.key(f);
      if (fk === '(synthetic)' && pick >= 0) continue;
      pick = f;
      pickEdge = via[s];
      if (fk !== '(hidden)' && fk !== '(array)') break;
    }
    if (pick < 0) break;
    parts.push(`.${edgeLabel(pickEdge)} ← ${h.key(pick)}`);
    seen.add(pick);
    cur = pick;
    if (h.key(pick) === '(synthetic)') break;
  }
  return parts.join(' ');
}
const chains = Number(opts.chains);
if (chains > 0) {
  buildRetainers();
  const wanted = opts.class?.length ? opts.class : rows.slice(0, 8).map((r) => r.k).filter((k) => k.startsWith('object:') || k.startsWith('closure:'));
  for (const k of wanted) {
    const found = [];
    for (let i = h.count - 1; i >= 0 && found.length < chains; i -= 1) if (h.key(i) === k) found.push(i);
    console.log(`\nretainers of ${k} (newest ${found.length}):`);
    for (const n of found) console.log(`  ${chain(n)}`);
  }
}

// --paths CLASS: every node of CLASS in both snapshots grouped by its retainer chain (classes and property
// names, element indices collapsed), so growth shows up by where it is held.
function retainerIndex(x) {
  const counts = new Uint32Array(x.count);
  for (let e = 0; e < x.edges.length; e += x.E) counts[x.edges[e + x.eTo] / x.N] += 1;
  const start = new Uint32Array(x.count + 1);
  for (let i = 0; i < x.count; i += 1) start[i + 1] = start[i] + counts[i];
  const fill = new Uint32Array(x.count);
  const from = new Uint32Array(start[x.count]);
  const via = new Uint32Array(start[x.count]);
  for (let i = 0; i < x.count; i += 1) {
    for (let e = x.firstEdge[i]; e < x.firstEdge[i + 1]; e += x.E) {
      const to = x.edges[e + x.eTo] / x.N;
      const slot = start[to] + fill[to]++;
      from[slot] = i;
      via[slot] = e;
    }
  }
  return { start, from, via };
}
function signature(x, r, node, depth) {
  const parts = [];
  let cur = node;
  const seen = new Set([cur]);
  for (let d = 0; d < depth; d += 1) {
    let pick = -1;
    let pickEdge = -1;
    for (let s = r.start[cur]; s < r.start[cur + 1]; s += 1) {
      const f = r.from[s];
      const et = x.edgeTypes[x.edges[r.via[s] + x.eType]];
      if (et === 'weak' || seen.has(f)) continue;
      const fk = x.key(f);
      if (pick >= 0 && (fk === '(synthetic)' || fk === '(hidden)')) continue;
      pick = f;
      pickEdge = r.via[s];
      if (fk !== '(hidden)' && fk !== '(synthetic)') break;
    }
    if (pick < 0) break;
    const et = x.edgeTypes[x.edges[pickEdge + x.eType]];
    const label = et === 'element' || et === 'hidden' ? '[]' : String(x.strings[x.edges[pickEdge + x.eName]]);
    parts.push(`.${label}<${x.key(pick)}`);
    seen.add(pick);
    cur = pick;
  }
  return parts.join(' ');
}
for (const cls of opts.paths ?? []) {
  const depth = Number(opts.depth);
  const agg = new Map();
  for (const [which, x] of [['a', a], ['b', b]]) {
    const r = retainerIndex(x);
    for (let i = 0; i < x.count; i += 1) {
      if (x.key(i) !== cls) continue;
      const sig = signature(x, r, i, depth);
      const row = agg.get(sig) ?? { a: 0, b: 0, sa: 0, sb: 0 };
      row[which] += 1;
      row[which === 'a' ? 'sa' : 'sb'] += x.nodes[i * x.N + x.iSize];
      agg.set(sig, row);
    }
  }
  console.log(`\n${cls} by retainer chain (depth ${depth}), largest growth first: Δcount early late Δbytes chain`);
  for (const [sig, row] of [...agg].sort((p, q) => q[1].sb - q[1].sa - (p[1].sb - p[1].sa)).slice(0, top)) {
    console.log(`  ${String(row.b - row.a).padStart(8)} ${String(row.a).padStart(8)} ${String(row.b).padStart(8)} ${mb(row.sb - row.sa).padStart(7)}MB ${sig.slice(0, 260)}`);
  }
}
