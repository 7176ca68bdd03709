import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from '../../src/config.js';
import { redactSecrets } from '../../src/errors.js';
import { describeFailure } from '../../src/health.js';
import { createLogger } from '../../src/logger.js';

describe('secrets in URLs are redacted everywhere', () => {
  it('redactSecrets hides the password of any scheme and keeps the rest', () => {
    expect(redactSecrets('postgresql://app:s3cr3t@db.internal:5432/perp')).toBe('postgresql://app:***@db.internal:5432/perp');
    expect(redactSecrets('redis://:hunter2@cache:6379 and rediss://tok@x')).toBe('redis://:***@cache:6379 and rediss://***@x');
    expect(redactSecrets('http://127.0.0.1:4000/graphql'), 'no credentials, unchanged').toBe('http://127.0.0.1:4000/graphql');
  });

  it('an invalid DATABASE_URL / REDIS_URL config error does not print the password', () => {
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: 'mysql://app:s3cr3t@db:3306/x', REDIS_URL: 'http://u:hunter2@cache:6379' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = String((error as Error).message);
    expect(text).toContain('DATABASE_URL');
    expect(text).toContain('REDIS_URL');
    expect(text).not.toMatch(/s3cr3t|hunter2/);
  });

  it('log lines redact credentials in messages, fields and errors', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) });
    const logger = createLogger('info', {}, sink);
    logger.info({ url: 'redis://:hunter2@cache:6379' }, 'connecting to postgres://app:s3cr3t@db/x');
    logger.error({ err: new Error('connect failed for postgresql://app:s3cr3t@db:5432/x') }, 'boom');
    const out = lines.join('');
    expect(out).toContain('redis://:***@cache:6379');
    expect(out).toContain('postgres://app:***@db/x');
    expect(out).toContain('postgresql://app:***@db:5432/x');
    expect(out).not.toMatch(/s3cr3t|hunter2/);
  });

  it('log lines mask fields named as credentials, nested in objects and errors (a pg error carrying its client)', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) });
    const logger = createLogger('info', {}, sink);
    const client = { connectionParameters: { user: 'app', password: 'pgs3cr3t', host: 'db', port: 5432 } };
    logger.warn({ err: Object.assign(new Error('Connection terminated unexpectedly'), { client }) }, 'postgres connection error');
    logger.info({ headers: { Authorization: 'Bearer tok123', accept: 'json' }, apiKey: 'k-987', password: '' }, 'request');
    const out = lines.join('');
    expect(out).not.toMatch(/pgs3cr3t|tok123|k-987/);
    const [pgLine, requestLine] = lines.map((l) => JSON.parse(l));
    expect(pgLine.err.client.connectionParameters, 'the rest of the error stays readable').toEqual({ user: 'app', password: '***', host: 'db', port: 5432 });
    expect(requestLine.headers).toEqual({ Authorization: '***', accept: 'json' });
    expect(requestLine.apiKey).toBe('***');
    expect(requestLine.password, 'an empty value says nothing and is kept').toBe('');
  });
});

describe('public health describes failures in project words', () => {
  it('never repeats driver text, hosts or ports', () => {
    const prisma = new Error("Can't reach database server at `db.internal:5432`\n\nPlease make sure your database server is running at `db.internal:5432`.");
    expect(describeFailure(prisma)).toBe('not reachable (connection refused)');
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:6379'), { code: 'ECONNREFUSED' });
    expect(describeFailure(refused)).toBe('not reachable (connection refused)');
    expect(describeFailure(new Error('timed out after 2000 ms'))).toBe('timed out after 2000 ms');
    const odd = new Error('Invalid `prisma.snapshot.findMany()` invocation in /app/src/engine/x.ts:12:3 → 12 const rows = await …');
    expect(describeFailure(odd)).toBe('failing (see the server log)');
  });
});
