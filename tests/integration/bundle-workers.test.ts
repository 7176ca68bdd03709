import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ES module script without type declarations
import { bundle } from '../../scripts/start.mjs';

// `npm start` runs dist/main.js: every file the bundle loads next to itself (worker entries) must be built too.
// The on-demand pool's worker was missing once, so in production every offloaded analysis (the liquidation
// heatmap, on-demand arguments) silently fell back to the request loop (event-loop stalls of ≈ 100 ms).
describe('the compiled build', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'perpgraph-bundle-'));
    await (bundle as (dir: string) => Promise<void>)(dir);
  }, 120_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('holds every worker script the server resolves next to dist/main.js', () => {
    const main = readFileSync(path.join(dir, 'main.js'), 'utf8');
    const siblings = [...main.matchAll(/new URL\("\.\/([\w.-]+\.js)", [\w$.]+\)/g)].map((m) => m[1]!);
    expect(siblings).toEqual(expect.arrayContaining(['on-demand-worker.js', 'history-worker.js']));
    expect(siblings.filter((file) => !existsSync(path.join(dir, file)))).toEqual([]);
  });

  // V8 holds a script's source as UTF-16 (two bytes a character) when one character does not fit in
  // Latin-1: comments with ’ or ≤ made dist/main.js's 5 MB a 10 MB string in every server's heap.
  it('is ASCII only, so V8 keeps each script source one byte a character', () => {
    const scripts = readdirSync(dir).filter((f) => f.endsWith('.js'));
    expect(scripts).toEqual(expect.arrayContaining(['main.js', 'on-demand-worker.js']));
    const nonAscii = scripts.map((f) => ({ f, n: (readFileSync(path.join(dir, f), 'utf8').match(/[^\x00-\x7f]/g) ?? []).length }));
    expect(nonAscii.filter((x) => x.n > 0)).toEqual([]);
  });
});
