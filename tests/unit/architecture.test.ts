import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findCycles, layerViolations, readImportGraph } from '../support/import-graph.js';

const SRC = resolve(import.meta.dirname, '../../src');

/** Layers and what each must not import (ARCHITECTURE.md: analyzers pure, datasources GraphQL-free, domain/math at the bottom). */
// logger and config are leaf utilities every layer may use.
const TOP = ['app', 'main', 'server', 'context', 'health', 'pubsub', 'errors', 'event-loop'];
const ABOVE_ANALYZERS = ['engine', 'schema', 'resolvers', 'http', 'subscriptions', 'db', ...TOP];
const FORBIDDEN: Record<string, readonly string[]> = {
  datasources: ['analyzers', ...ABOVE_ANALYZERS],
  analyzers: ['datasources', ...ABOVE_ANALYZERS],
  domain: ['math', 'analyzers', 'datasources', 'generated', ...ABOVE_ANALYZERS],
  math: ['domain', 'analyzers', 'datasources', 'generated', ...ABOVE_ANALYZERS],
};

describe('import graph of src/', () => {
  const graph = readImportGraph(SRC, ['generated']);

  it('reads the real tree (guards against an empty graph passing every rule)', () => {
    expect(graph.get('app.ts'), 'the composition root imports the engine registry').toContain('engine/analyses.ts');
    expect(graph.get('engine/analyses.ts'), 'the registry imports its members').toContain('engine/definitions/funding.ts');
  });

  it('has no import cycle (type-only imports included)', () => {
    expect(findCycles(graph), 'each entry is one strongly connected set of files').toEqual([]);
  });

  it('keeps the layers: datasources and analyzers import neither each other nor anything above; domain and math import nothing above them', () => {
    expect(layerViolations(graph, FORBIDDEN)).toEqual([]);
  });
});

describe('the checker itself', () => {
  const dir = mkdtempSync(join(tmpdir(), 'import-graph-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (file: string, text: string): void => {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  };
  write('engine/registry.ts', "import { a } from './members/a.js';\nexport const all = [a];\n");
  write('engine/members/a.ts', "import type { all } from '../registry.js';\nexport const a = 1 as unknown as typeof all;\n");
  write('datasources/feed.ts', "export { price } from '../analyzers/price.js';\n");
  write('analyzers/price.ts', "import { z } from 'zod';\nexport const price = async () => import('../math/num.js');\n");
  write('math/num.ts', 'export const n = 1;\n');

  it('finds a cycle made of a type-only import back into a registry', () => {
    expect(findCycles(readImportGraph(dir))).toEqual([['engine/members/a.ts', 'engine/registry.ts']]);
  });

  it('flags a re-export across a forbidden layer and allows dynamic imports downwards', () => {
    const g = readImportGraph(dir);
    expect(g.get('analyzers/price.ts'), 'dynamic import() is read, bare package names are not').toEqual(['math/num.ts']);
    expect(layerViolations(g, FORBIDDEN)).toEqual(['datasources/feed.ts → analyzers/price.ts (datasources → analyzers)']);
  });
});
