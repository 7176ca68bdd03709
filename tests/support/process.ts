import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Started {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  port: number;
  exit: Promise<number | null>;
}

/** Every child a test spawned and that has not exited yet: `stopAllProcesses()` ends them in teardown. */
const running = new Set<ChildProcess>();

/** `spawn`, with the child recorded so that teardown kills it whatever the test's outcome. */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, options);
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** Children still running. */
export const runningProcesses = (): number => running.size;

/**
 * Ends every tracked child: SIGTERM, then SIGKILL after `graceMs`. Call it in `afterAll`/`afterEach`
 * so a failing test never leaves a server behind.
 */
export async function stopAllProcesses(graceMs = 5_000): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

/** Runs `src/main.ts` as users do (through tsx), reading pino's JSON log lines; killed if it never gets ready. */
export function startMain(env: Record<string, string | undefined>, readyTimeoutMs = 60_000): Promise<Started> {
  const child = spawnTracked(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ready line within ${readyTimeoutMs} ms (killed); log: ${JSON.stringify(lines)}`));
    }, readyTimeoutMs);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        lines.push(entry);
        const match = /GraphiQL at http:\/\/[^:]+:(\d+)\/graphql/.exec(String(entry.msg));
        if (match) {
          clearTimeout(timer);
          resolve({ child, lines, port: Number(match[1]), exit });
        }
      } catch {
        lines.push({ raw: line });
      }
    });
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready; log: ${JSON.stringify(lines)}`));
    });
  });
}
