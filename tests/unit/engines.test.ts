import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The lowest Node the project supports (package.json `engines.node` is `>=20.19`). */
const FLOOR = [20, 19, 0] as const;

type V = readonly [number, number, number];
const parse = (v: string): V => {
  const [a = 0, b = 0, c = 0] = v.replace(/^v/, '').split('.').map((p) => (p === 'x' || p === '*' ? 0 : Number.parseInt(p, 10)));
  return [a, b, c];
};
const cmp = (x: V, y: V): number => x[0] - y[0] || x[1] - y[1] || x[2] - y[2];

/** Whether `v` satisfies an npm `engines` range (the comparator forms used in the lockfile: >=, >, <, <=, ^, ~, =, x, *). */
export function satisfies(v: V, range: string): boolean {
  return range.split('||').some((alt) => {
    const parts = alt.trim().replace(/(>=|<=|>|<|\^|~|=)\s+/g, '$1').split(/\s+/).filter(Boolean);
    if (parts.length === 0) return true;
    return parts.every((part) => {
      const m = /^(>=|<=|>|<|\^|~|=)?\s*(.+)$/.exec(part)!;
      const [op = '', raw] = [m[1], m[2]!];
      if (raw === '*' || raw === 'x') return true;
      const w = parse(raw);
      const c = cmp(v, w);
      const digits = raw.split('.').filter((p) => p !== 'x' && p !== '*').length;
      switch (op) {
        case '>=': return c >= 0;
        case '>': return c > 0;
        case '<': return c < 0;
        case '<=': return c <= 0;
        case '^': return c >= 0 && (w[0] > 0 ? v[0] === w[0] : w[1] > 0 ? v[0] === 0 && v[1] === w[1] : cmp(v, w) === 0);
        case '~': return c >= 0 && v[0] === w[0] && (digits < 2 || v[1] === w[1]);
        default: return digits === 1 ? v[0] === w[0] : digits === 2 ? v[0] === w[0] && v[1] === w[1] : c === 0;
      }
    });
  });
}

describe('every locked package supports the project\'s Node (npm ci prints no EBADENGINE)', () => {
  it('reads ranges as npm does', () => {
    expect(satisfies(FLOOR, '>=20')).toBe(true);
    expect(satisfies(FLOOR, '>= 8'), 'a space after the operator').toBe(true);
    expect(satisfies(FLOOR, '>=22.15.0'), '@whatwg-node/promise-helpers 2.0.0').toBe(false);
    expect(satisfies(FLOOR, '^18.17.0 || >=20.5.0')).toBe(true);
    expect(satisfies(FLOOR, '^20.19.0 || ^22.12.0 || >=23')).toBe(true);
    expect(satisfies(FLOOR, '^22 || ^24')).toBe(false);
    expect(satisfies(FLOOR, '14 || 16 || 17 || 18 || 20 || 22')).toBe(true);
  });

  it('finds no package in package-lock.json whose engines.node excludes Node 20.19', () => {
    const lock = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; engines?: { node?: string } | string[]; optional?: boolean }>;
    };
    const bad = Object.entries(lock.packages)
      .filter(([path, p]) => path !== '' && !Array.isArray(p.engines) && typeof p.engines?.node === 'string' && !satisfies(FLOOR, p.engines.node))
      .map(([path, p]) => `${path.replace(/^.*node_modules\//, '')}@${p.version} wants node ${(p.engines as { node: string }).node}`);
    expect(bad, 'pin a Node-20 release in package.json overrides, or raise engines.node and say so in the README').toEqual([]);
  });
});
