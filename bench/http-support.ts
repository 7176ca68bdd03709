import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Pool } from 'undici';

/** taskset is used when present: servers on core 0, the load generator (this process) stays on the others. */
export const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

export interface Target {
  origin: string;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Starts bench/http-target.ts in its own process (pinned to core 0 when taskset exists). */
export async function startTarget(args: string[], env: Record<string, string> = {}): Promise<Target> {
  const node = [process.execPath, '--import', 'tsx', 'bench/http-target.ts', ...args];
  const [cmd, ...rest] = hasTaskset ? ['taskset', '-c', '0', ...node] : node;
  const child = spawn(cmd!, rest, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /PORT (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`target ${args[0]} exited with ${code}`)));
    setTimeout(() => reject(new Error(`target ${args[0]} did not start`)), 240_000).unref();
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => {
          children.delete(child);
          resolve();
        });
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

export interface Measurement {
  rps: number;
  errors: number;
  p50: number;
  p99: number;
  count: number;
}

export const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : NaN);

/** `concurrency` closed-loop clients for `seconds` (bounded), POSTing `body`; latencies in ms. */
export async function measure(origin: string, path: string, body: string, concurrency: number, seconds: number, ok = (status: number, text: string) => status === 200 && !text.includes('"errors"')): Promise<Measurement> {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  async function worker() {
    while (performance.now() < deadline) {
      const t = performance.now();
      const res = await pool.request({ path, method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const text = await res.body.text();
      latencies.push(performance.now() - t);
      if (!ok(res.statusCode, text)) errors += 1;
    }
  }
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / elapsed, errors, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), count: latencies.length };
}

export const SYMBOLS_20 = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'XRPUSDT', 'DOGEUSDT', ...Array.from({ length: 14 }, (_, i) => `SIM${i + 6}USDT`)];
