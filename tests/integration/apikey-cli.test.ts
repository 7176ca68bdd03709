import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_PATTERN } from '../../src/auth/keys.js';
import { spawnTracked, stopAllProcesses } from '../support/process.js';
import { isolatedDatabase, startTestApp, tempDir, testEnv, type TestApp } from '../support/harness.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `src/auth/apikey-cli.ts` as its own process (as `npm run apikey` runs its build), killed after 60 s. */
function cli(args: string[], env: Record<string, string | undefined>): Promise<Run> {
  const child = spawnTracked(process.execPath, ['--import', 'tsx', 'src/auth/apikey-cli.ts', ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

async function post(url: string, query: string, key: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query }) });
  return { status: res.status, body: await res.json() };
}

describe('npm run apikey (the CLI, on the database the server uses: DATABASE_URL when set, else the embedded one)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let db: Awaited<ReturnType<typeof isolatedDatabase>>;
  let env: Record<string, string | undefined>;
  let app: TestApp | undefined;
  beforeAll(async () => {
    dir = await tempDir();
    db = await isolatedDatabase();
    env = { DATA_DIR: dir.path, DATABASE_URL: db.url };
  });
  afterAll(async () => {
    await stopAllProcesses();
    await app?.stop();
    await db?.drop();
    await dir?.remove();
  });

  it('creates keys shown once, lists them without secrets, revokes by prefix; the server accepts and refuses them accordingly', async () => {
    const admin = await cli(['create', '--name', 'ops admin', '--scopes', 'admin'], env);
    expect(admin.code, admin.stderr).toBe(0);
    const adminKey = admin.stdout.trim();
    expect(adminKey, 'stdout is the key alone').toMatch(KEY_PATTERN);
    expect(admin.stderr).toMatch(/shown this once/);

    const reader = await cli(['create', '--name', 'dashboard', '--scopes', 'read, alerts', '--expires', '30d', '--json'], env);
    expect(reader.code, reader.stderr).toBe(0);
    const created = JSON.parse(reader.stdout) as { key: string; prefix: string; scopes: string[]; origin: string; expiresAt: number; createdAt: number };
    expect(created.key).toMatch(KEY_PATTERN);
    expect(created.key.split('_')[1], 'the prefix names the key').toBe(created.prefix);
    expect(created).toMatchObject({ scopes: ['alerts', 'read'], origin: 'cli' });
    expect(created.expiresAt - created.createdAt, '30 days').toBe(30 * 86_400_000);

    const revoked = await cli(['revoke', created.prefix], env);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`Revoked API key ${created.prefix} "dashboard"`);

    const listed = await cli(['list', '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    // The secret is everything after `pg_<prefix>_` (it may itself contain `_`, so split('_')[2] could be a 1-char fragment).
    const secretOf = (key: string) => key.slice(key.indexOf('_', 3) + 1);
    expect(listed.stdout.includes(secretOf(adminKey)) || listed.stdout.includes(secretOf(created.key)), 'no secret in listings').toBe(false);
    const states = (JSON.parse(listed.stdout) as Array<{ name: string; state: string; origin: string }>).map((k) => `${k.name}/${k.origin}/${k.state}`).sort();
    expect(states).toEqual(['dashboard/cli/revoked', 'ops admin/cli/active']);

    // The server on the same database (started after the CLI exited: PGlite is single-process).
    app = await startTestApp(testEnv({ ...env, SYMBOLS: 'BTCUSDT' }));
    const keys = await post(app.url, '{ apiKeys { name origin active } }', adminKey);
    expect(keys.body.errors, JSON.stringify(keys.body)).toBeUndefined();
    expect(keys.body.data.apiKeys.map((k: { name: string; active: boolean }) => `${k.name}/${k.active}`).sort()).toEqual(['dashboard/false', 'ops admin/true']);
    const refused = await post(app.url, 'mutation { revokeApiKey(id: "00000000-0000-0000-0000-000000000000") { id } }', created.key);
    expect(refused.status).toBe(401);
    expect(refused.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(refused.body.errors[0].message).toContain('was revoked');
  }, 240_000);

  it('refuses bad usage with exit code 2 and says what is wrong', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['create', '--name', 'x', '--scopes', 'trade'], /unknown scope "trade"/],
      [['create', '--scopes', 'read'], /needs --name/],
      [['create', '--name', 'x', '--scopes', 'read', '--expires', '2020-01-01'], /not in the future/],
      [['revoke', 'nothex'], /12 hex characters/],
      [['frobnicate'], /unknown command "frobnicate"/],
    ];
    const runs = await Promise.all(cases.map(([args]) => cli(args, { DATA_DIR: dir.path, DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none' })));
    runs.forEach((run, i) => {
      expect(run.code, cases[i]![0].join(' ')).toBe(2);
      expect(run.stderr, cases[i]![0].join(' ')).toMatch(cases[i]![1]);
    });
  }, 120_000);
});
