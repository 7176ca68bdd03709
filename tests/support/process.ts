import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Started {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  port: number;
  exit: Promise<number | null>;
}

/** Runs `src/main.ts` as users do (through tsx), reading pino's JSON log lines. */
export function startMain(env: Record<string, string | undefined>): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line; log: ${JSON.stringify(lines)}`)), 30_000);
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

