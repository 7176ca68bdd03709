import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('applies the embedded defaults on an empty environment', () => {
    const config = loadConfig({});
    expect(config.PORT, 'README promises port 4000').toBe(4000);
    expect(config.SYMBOLS, 'default symbol set').toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT']);
    expect(config.DATABASE_URL, 'unset means embedded PGlite').toBeUndefined();
    expect(config.REDIS_URL, 'unset means in-process pub/sub').toBeUndefined();
    expect(config.MARKET_SOURCE, 'unset means try live then fall back').toBeUndefined();
    expect(config.BINANCE_FAPI_URL).toBe('https://fapi.binance.com');
  });

  it('parses and normalises symbols, numbers and URLs', () => {
    const config = loadConfig({ SYMBOLS: ' btcusdt, ethusdt ,', PORT: '8080', SIM_SEED: '7', DATABASE_URL: 'postgresql://u@h:5432/db' });
    expect(config.SYMBOLS).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(config.PORT).toBe(8080);
    expect(config.SIM_SEED).toBe(7);
    expect(config.DATABASE_URL).toBe('postgresql://u@h:5432/db');
  });

  it('reads REPLAY_START as a UTC date or date-time in epoch ms and rejects anything else', () => {
    expect(loadConfig({ REPLAY_START: '2026-01-22' }).REPLAY_START).toBe(Date.UTC(2026, 0, 22));
    expect(loadConfig({ REPLAY_START: '2026-01-22T12:30:00Z' }).REPLAY_START).toBe(Date.UTC(2026, 0, 22, 12, 30));
    expect(loadConfig({ REPLAY_START: '2026-01-22T12:30' }).REPLAY_START, 'no zone means UTC').toBe(Date.UTC(2026, 0, 22, 12, 30));
    expect(loadConfig({}).REPLAY_START).toBeUndefined();
    expect(() => loadConfig({ REPLAY_START: 'yesterday' })).toThrow(/REPLAY_START/);
    expect(() => loadConfig({ REPLAY_START: '2026-02-31T99:00' })).toThrow(/REPLAY_START/);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', REDIS_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('names every invalid variable, the problem and the offending value', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: '99999', MARKET_SOURCE: 'kraken', REDIS_URL: 'http://x', BINANCE_FAPI_URL: 'not a url' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems, 'one line per bad variable').toHaveLength(4);
    expect(problems.find((p) => p.startsWith('PORT:')), 'port range').toContain('"99999"');
    expect(problems.find((p) => p.startsWith('MARKET_SOURCE:')), 'enum lists the choices').toMatch(/binance.*simulated/);
    expect(problems.find((p) => p.startsWith('REDIS_URL:'))).toContain('redis://');
    expect(problems.find((p) => p.startsWith('BINANCE_FAPI_URL:'))).toBeDefined();
  });

  it('rejects ROLE=api without Redis, since it only serves what others publish', () => {
    expect(() => loadConfig({ ROLE: 'api' })).toThrow(/REDIS_URL must be set/);
    expect(loadConfig({ ROLE: 'api', REDIS_URL: 'redis://127.0.0.1:6379' }).ROLE).toBe('api');
  });

  it('turns GraphiQL, introspection and field suggestions off with NODE_ENV=production unless set, on otherwise', () => {
    const pick = (env: Record<string, string>) => {
      const c = loadConfig(env);
      return [c.GRAPHIQL, c.INTROSPECTION_ENABLED, c.FIELD_SUGGESTIONS_ENABLED];
    };
    expect(pick({}), 'development by default').toEqual([true, true, true]);
    expect(pick({ NODE_ENV: 'test' })).toEqual([true, true, true]);
    expect(pick({ NODE_ENV: 'production' })).toEqual([false, false, false]);
    expect(pick({ NODE_ENV: 'production', INTROSPECTION_ENABLED: 'true' }), 'an explicit setting wins').toEqual([false, true, false]);
    expect(pick({ GRAPHIQL: 'false' })).toEqual([false, true, true]);
  });

  it('reads CORS_ORIGINS as *, none or a list of origins, and allows credentials only to a list', () => {
    expect(loadConfig({}).CORS_ORIGINS, 'default: any origin').toEqual({ kind: 'any' });
    expect(loadConfig({}).CORS_CREDENTIALS, 'default: never credentials').toBe(false);
    expect(loadConfig({ CORS_ORIGINS: 'none' }).CORS_ORIGINS).toEqual({ kind: 'none' });
    const list = loadConfig({ CORS_ORIGINS: 'https://App.example.com, http://localhost:5173/', CORS_CREDENTIALS: 'true' });
    expect(list.CORS_ORIGINS).toEqual({ kind: 'list', origins: new Set(['https://app.example.com', 'http://localhost:5173']) });
    expect(() => loadConfig({ CORS_ORIGINS: 'https://app.example.com/path' })).toThrow(/CORS_ORIGINS: "https:\/\/app.example.com\/path" is not an origin/);
    expect(() => loadConfig({ CORS_ORIGINS: 'app.example.com' })).toThrow(/CORS_ORIGINS: "app.example.com" is not an origin/);
    expect(() => loadConfig({ CORS_CREDENTIALS: 'true' })).toThrow(/CORS_CREDENTIALS: credentials are only ever allowed to a list/);
  });

  it('reads the rate limits: on, per-key budgets ten times the per-address ones by default', () => {
    const c = loadConfig({});
    expect([c.RATE_LIMIT_ENABLED, c.RATE_LIMIT_WINDOW_S]).toEqual([true, 60]);
    expect([c.RATE_LIMIT_IP_QUERIES, c.RATE_LIMIT_IP_MUTATIONS, c.RATE_LIMIT_IP_SUBSCRIPTIONS]).toEqual([600, 60, 60]);
    expect([c.RATE_LIMIT_KEY_QUERIES, c.RATE_LIMIT_KEY_MUTATIONS, c.RATE_LIMIT_KEY_SUBSCRIPTIONS]).toEqual([6_000, 600, 600]);
    expect(() => loadConfig({ RATE_LIMIT_IP_QUERIES: '0' })).toThrow(/RATE_LIMIT_IP_QUERIES/);
  });

  it('rejects malformed symbols', () => {
    expect(() => loadConfig({ SYMBOLS: 'BTC-USDT' })).toThrow(/SYMBOLS\.0: symbols are letters\/digits/);
  });

  it('reads the observability settings: metrics on and open by default, tracing off', () => {
    const defaults = loadConfig({});
    expect(defaults.METRICS_ENABLED, '/metrics served by default').toBe(true);
    expect(defaults.METRICS_TOKEN, 'no token: open').toBeUndefined();
    expect(defaults.LOG_FORMAT, 'unset: chosen from the terminal and NODE_ENV').toBeUndefined();
    expect(defaults.OTEL_EXPORTER_OTLP_ENDPOINT, 'no endpoint: no tracing').toBeUndefined();
    expect(defaults.OTEL_EXPORTER_OTLP_HEADERS).toEqual({});
    expect(defaults.OTEL_SERVICE_NAME).toBe('perpgraph');
    const set = loadConfig({
      METRICS_ENABLED: 'false',
      METRICS_TOKEN: 'abcdefghijklmnop',
      LOG_FORMAT: 'pretty',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=s%3Dcret, x-team = desk',
    });
    expect(set.METRICS_ENABLED).toBe(false);
    expect(set.METRICS_TOKEN).toBe('abcdefghijklmnop');
    expect(set.LOG_FORMAT).toBe('pretty');
    expect(set.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://collector:4318');
    expect(set.OTEL_EXPORTER_OTLP_HEADERS, 'URL-decoded, trimmed').toEqual({ 'x-api-key': 's=cret', 'x-team': 'desk' });
  });

  it('rejects a short metrics token, a bad log format or endpoint, without quoting secrets', () => {
    let error: unknown;
    try {
      loadConfig({ METRICS_TOKEN: 'short-secret', LOG_FORMAT: 'xml', OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://x:4317', OTEL_EXPORTER_OTLP_HEADERS: 'novalue-secret' });
    } catch (e) {
      error = e;
    }
    const problems = (error as ConfigError).problems;
    expect(problems, 'one line per bad variable').toHaveLength(4);
    expect(problems.find((p) => p.startsWith('METRICS_TOKEN:'))).toMatch(/at least 16 characters/);
    expect(problems.join('\n'), 'the token value is never printed').not.toContain('short-secret');
    expect(problems.find((p) => p.startsWith('LOG_FORMAT:'))).toMatch(/json.*pretty/);
    expect(problems.find((p) => p.startsWith('OTEL_EXPORTER_OTLP_ENDPOINT:'))).toContain('grpc://x:4317');
    expect(problems.find((p) => p.startsWith('OTEL_EXPORTER_OTLP_HEADERS:'))).toMatch(/key=value/);
  });
});
