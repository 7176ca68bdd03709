import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// `npm start` (scripts/start.sh) chooses the allocator and the V8 heap flags; the benches read the same
// choice from `--print-env` and start the server with it.
const script = fileURLToPath(new URL('../../scripts/start.sh', import.meta.url));
const printEnv = (env: Record<string, string>) => {
  const out = execFileSync('sh', [script, '--print-env'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });
  return Object.fromEntries(out.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
};

describe('scripts/start.sh', () => {
  it('without jemalloc tunes glibc and sizes the V8 heap for memory', () => {
    expect(printEnv({ PERPGRAPH_ALLOCATOR: 'glibc' })).toEqual({
      MALLOC_MMAP_THRESHOLD_: '131072',
      PERPGRAPH_NODE_FLAGS: '--heap-growing-percent=30 --max-semi-space-size=4',
    });
  });

  it('keeps flags the user set, and an empty PERPGRAPH_NODE_FLAGS turns them off', () => {
    expect(printEnv({ PERPGRAPH_ALLOCATOR: 'system', PERPGRAPH_NODE_FLAGS: '--max-old-space-size=512' })).toEqual({ PERPGRAPH_NODE_FLAGS: '--max-old-space-size=512' });
    expect(printEnv({ PERPGRAPH_ALLOCATOR: 'system', PERPGRAPH_NODE_FLAGS: '' })).toEqual({ PERPGRAPH_NODE_FLAGS: '' });
  });

  it('passes flags this node accepts (a mistyped V8 flag would stop every start)', () => {
    const flags = printEnv({ PERPGRAPH_ALLOCATOR: 'system' }).PERPGRAPH_NODE_FLAGS!.split(' ');
    const run = spawnSync(process.execPath, [...flags, '-p', "require('node:v8').getHeapStatistics().total_heap_size > 0"], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('true');
    expect(run.status).toBe(0);
  });
});
