import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger, resolveLogFormat } from '../../src/logger.js';
import { gql, isolatedDatabase, tempDir, testEnv } from '../support/harness.js';

type Line = { level: number; msg?: string; code?: string; err?: { message?: string; stack?: string; type?: string } } & Record<string, unknown>;

describe('log levels of failures', () => {
  const lines: Line[] = [];
  const raw: string[] = [];
  let app: App;
  let url: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const dir = await tempDir();
    const db = await isolatedDatabase();
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const text of chunk.toString('utf8').split('\n').filter(Boolean)) {
          raw.push(text);
          lines.push(JSON.parse(text) as Line);
        }
        done();
      },
    });
    const config = loadConfig(testEnv({ DATA_DIR: dir.path, DATABASE_URL: db.url, RESPONSE_CACHE_TTL_MS: '0', LOG_LEVEL: 'info' }));
    app = createApp({ config, logger: createLogger('info', {}, sink) });
    url = `http://127.0.0.1:${await app.start(0)}/graphql`;
    cleanup = async () => {
      await app.stop();
      await db.drop();
      await dir.remove();
    };
  }, 60_000);

  afterAll(async () => {
    await cleanup?.();
  });

  const after = (mark: number) => lines.slice(mark);

  it('logs bad user input at info, with its code and no stack', async () => {
    const mark = lines.length;
    const res = await gql(url, '{ market(symbol: "NOPE!") { symbol } }');
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const logged = after(mark).filter((l) => l.code === 'BAD_USER_INPUT');
    expect(logged, JSON.stringify(after(mark))).toHaveLength(1);
    expect(logged[0]!.level, 'pino info').toBe(30);
    expect(logged[0]!.msg).toBe('request rejected');
    expect(JSON.stringify(logged[0]), 'no stack for a client mistake').not.toMatch(/stack|\bat .*\(/);
    expect(after(mark).filter((l) => l.level >= 50), 'nothing at error').toEqual([]);
  });

  it('logs an unexpected fault at error with its stack, and masks it for the client', async () => {
    const original = app.services.latest;
    app.services.latest = () => {
      throw new Error('boom in latest');
    };
    const mark = lines.length;
    try {
      const res = await gql(url, '{ market(symbol: "BTCUSDT") { funding { score } } }');
      expect(res.errors?.[0]?.message, 'masked').toBe('Unexpected error.');
      expect(res.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(JSON.stringify(res), 'the cause stays in the log').not.toContain('boom');
    } finally {
      app.services.latest = original;
    }
    const errors = after(mark).filter((l) => l.level === 50);
    expect(errors, JSON.stringify(after(mark))).toHaveLength(1);
    expect(errors[0]!.msg).toBe('unexpected error while executing an operation');
    expect(errors[0]!.err?.message).toBe('boom in latest');
    expect(errors[0]!.err?.stack, 'a real fault keeps its stack').toMatch(/Error: boom in latest\n\s+at /);
  });

  it('writes one JSON object per line by default', () => {
    expect(raw.length).toBeGreaterThan(0);
    for (const text of raw) expect(text.startsWith('{') && text.endsWith('}'), text).toBe(true);
  });
});

describe('LOG_FORMAT', () => {
  it('is pretty only when asked, or for a terminal in development', () => {
    expect(resolveLogFormat('pretty', 'production', false)).toBe('pretty');
    expect(resolveLogFormat('json', 'development', true)).toBe('json');
    expect(resolveLogFormat(undefined, 'development', true), 'a person at a terminal').toBe('pretty');
    expect(resolveLogFormat(undefined, 'development', false), 'piped: a log shipper').toBe('json');
    expect(resolveLogFormat(undefined, 'production', true), 'production stays JSON').toBe('json');
  });
});
