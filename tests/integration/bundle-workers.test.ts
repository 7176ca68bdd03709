import { existsSync, readFileSync } from 'node:fs';
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
});
