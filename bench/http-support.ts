import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';

/** taskset is used when present: servers on core 0, the load generator (this process) stays on the others. */
export const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

export interface Target {
  origin: string;
  /** The server process (taskset execs node, so this is node's pid). */
  pid: number;
  stop(): Promise<void>;
  /** SIGSTOP / SIGCONT: a paused target takes no CPU while another one is measured on the same core. */
  pause(): void;
  resume(): void;
}

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Starts bench/http-target.ts in its own process (pinned to core 0 when taskset exists). */
export async function startTarget(args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<Target> {
  const node = [process.execPath, ...nodeArgs, '--import', 'tsx', 'bench/http-target.ts', ...args];
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
  // taskset execs node in place, so the child's pid is the server's.
  return {
    origin: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => {
          children.delete(child);
          resolve();
        });
        child.kill('SIGCONT');
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

/** wrk (a C load generator) is used when installed and BENCH_CLIENT is not `undici`: a Node client saturates before the servers do. */
export const hasWrk = process.env.BENCH_CLIENT !== 'undici' && spawnSync('wrk', ['--version']).error === undefined;

const wrkMs = (value: string, unit: string) => Number(value) * ({ us: 0.001, ms: 1, s: 1000, m: 60_000 } as Record<string, number>)[unit]!;

/**
 * The same closed loop with wrk: one thread, `concurrency` connections, POSTing `body`. errors counts non-2xx
 * responses and socket errors (wrk does not read bodies: callers check a sample response first).
 */
export async function measureWrk(origin: string, path: string, body: string, concurrency: number, seconds: number): Promise<Measurement> {
  const dir = mkdtempSync(join(tmpdir(), 'perpgraph-wrk-'));
  const script = join(dir, 'post.lua');
  if (body.includes(']==]')) throw new Error('body cannot be quoted for wrk');
  writeFileSync(script, `wrk.method = "POST"\nwrk.headers["content-type"] = "application/json"\nwrk.body = [==[${body}]==]\n`);
  try {
    const out = await new Promise<string>((resolve, reject) =>
      execFile('wrk', ['-t1', `-c${concurrency}`, `-d${seconds}s`, '--timeout', '30s', '--latency', '-s', script, `${origin}${path}`], { maxBuffer: 1 << 20 }, (error, stdout) =>
        error ? reject(error) : resolve(stdout),
      ),
    );
    const pct = (p: string) => {
      const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out);
      if (!m) throw new Error(`wrk: no ${p}% latency in\n${out}`);
      return wrkMs(m[1]!, m[2]!);
    };
    const count = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
    const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
    const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
    const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
    return { rps, errors: non2xx + socketErrors, p50: pct('50'), p99: pct('99'), count };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

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
