import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDeribitApi, createDeribitHttpClient, deribitRpcFailure, DERIBIT_RATE_LIMIT_WAIT_MS, type DeribitApi } from '../../src/datasources/deribit/deribit-api.js';
import { deribitBookSummaryListSchema, deribitBookSummarySchema, deribitEnvelope } from '../../src/datasources/deribit/schemas.js';
import {
  BadResponseError,
  BadSymbolError,
  RateLimitError,
  TimeoutError,
  UpstreamUnavailableError,
} from '../../src/datasources/errors.js';
import { formatIssues, type HttpClient } from '../../src/datasources/http.js';
import { startFakeDeribit, type FakeDeribit } from '../support/fake-deribit.js';

const row = {
  instrument_name: 'BTC-28MAR25-90000-C',
  mark_price: 0.0423,
  mark_iv: 55.1,
  underlying_price: 87210.5,
  open_interest: 1234.5,
  volume: 56.2,
  creation_timestamp: 1742371200000,
};

describe('deribit envelope schema', () => {
  const schema = deribitEnvelope(deribitBookSummaryListSchema);

  it('reports a bad field inside the result by its path', () => {
    const parsed = schema.safeParse({ jsonrpc: '2.0', result: [row, { ...row, mark_price: 'abc' }], usIn: 1, usOut: 2, usDiff: 1, testnet: false });
    expect(parsed.success).toBe(false);
    expect(formatIssues(parsed.error!.issues), 'second row, mark_price').toEqual(['result[1].mark_price: Invalid input: expected number, received string']);
  });

  it('accepts an error envelope and rejects one with neither result nor error', () => {
    const error = schema.parse({ jsonrpc: '2.0', error: { code: 10028, message: 'too_many_requests' }, usIn: 1, usOut: 2, usDiff: 1, testnet: false });
    expect(error.error, 'the RPC error is kept for the API to map').toEqual({ code: 10028, message: 'too_many_requests' });
    expect(formatIssues(schema.safeParse({ jsonrpc: '2.0', usIn: 1 }).error!.issues)).toEqual(['(root): neither result nor error']);
  });

  it('refuses non-finite numbers', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])
      expect(deribitBookSummarySchema.safeParse({ ...row, mark_iv: bad }).success, String(bad)).toBe(false);
  });
});

describe('deribitRpcFailure', () => {
  it('maps 10028 too_many_requests to a RateLimitError with the credit-refill wait', () => {
    const error = deribitRpcFailure('public/get_instruments', { code: 10028, message: 'too_many_requests' });
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs, '50,000 credits refill at 10,000/s').toBe(DERIBIT_RATE_LIMIT_WAIT_MS);
    expect(error.venue).toBe('deribit');
  });

  it('maps an invalid currency to BadSymbolError naming it, and transient codes to network errors', () => {
    const bad = deribitRpcFailure('public/get_instruments', { code: -32602, message: 'Invalid params', data: { reason: 'wrong format', param: 'currency' } }, { currency: 'XYZ' });
    expect(bad).toBeInstanceOf(BadSymbolError);
    expect((bad as BadSymbolError).symbol).toBe('XYZ');
    expect(deribitRpcFailure('x', { code: 13888, message: 'timed_out' })).toBeInstanceOf(TimeoutError);
    expect(deribitRpcFailure('x', { code: 11051, message: 'system_maintenance' })).toBeInstanceOf(UpstreamUnavailableError);
    const other = deribitRpcFailure('public/foo', { code: -32601, message: 'Method not found' });
    expect(other).toBeInstanceOf(UpstreamUnavailableError);
    expect(other.message, 'code and message kept for the logs').toBe('deribit public/foo: JSON-RPC error -32601 Method not found');
  });
});

describe('deribit api against the fake venue', () => {
  let fake: FakeDeribit;
  let http: HttpClient;
  let api: DeribitApi;

  beforeAll(async () => {
    fake = await startFakeDeribit();
  });
  afterAll(async () => {
    await fake.close();
  });
  afterEach(async () => {
    fake.setFault(null);
    await http?.close();
  });
  const connect = () => {
    http = createDeribitHttpClient({ baseUrl: fake.url, timeoutMs: 500, retry: { maxRetries: 0 } });
    api = createDeribitApi(http);
  };

  it('sends the documented query and unwraps the result', async () => {
    connect();
    const list = await api.getInstruments('BTC');
    expect(fake.calls('get_instruments').at(-1)?.query, 'kind=option, expired=false by default').toEqual({ currency: 'BTC', kind: 'option', expired: 'false' });
    expect(list, '17 strikes × 2 types × 4 expiries').toHaveLength(136);
    const index = await api.getIndexPrice('eth_usd');
    expect(index).toEqual({ index_price: 3000, estimated_delivery_price: 3000 });
  });

  it('charges get_instruments to its own 1 request/s budget', async () => {
    connect();
    const started = Date.now();
    await Promise.all([api.getInstruments('BTC'), api.getInstruments('ETH')]);
    const [first, second] = fake.calls('get_instruments').slice(-2);
    expect(second!.at - first!.at, 'the second waits for the first to leave the 1 s window').toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(http.budgets().find((b) => b.group === 'instruments'), 'limit 1/s taken whole').toMatchObject({ limit: 1, budget: 1 });
  });

  it('turns a JSON-RPC 10028 in a 2xx answer into RateLimitError', async () => {
    connect();
    fake.setFault({ kind: 'rpcError', code: 10028, message: 'too_many_requests', status: 200, times: 1 });
    await expect(api.getBookSummaryByCurrency('BTC')).rejects.toBeInstanceOf(RateLimitError);
  });

  it('turns an HTTP 429 (with its JSON-RPC 10028 body) into RateLimitError with the Retry-After', async () => {
    connect();
    fake.setFault({ kind: '429', retryAfterSec: 2, times: 1 });
    const error = await api.getIndexPrice('btc_usd').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(2_000);
    await http.close();
    connect();
    fake.setFault({ kind: '429', times: 1 });
    const bare = await api.getIndexPrice('btc_usd').catch((e: unknown) => e);
    expect((bare as RateLimitError).retryAfterMs, 'no Retry-After: wait for the credit refill, not a minute').toBe(DERIBIT_RATE_LIMIT_WAIT_MS);
    expect(http.blockedUntil(), 'every call paused meanwhile').not.toBeNull();
  });

  it('loses the RPC code of an error sent with HTTP 400, as Deribit sends them: the shared client reads no JSON-RPC body', async () => {
    connect();
    const error = await api.getInstruments('XYZ').catch((e: unknown) => e);
    expect(fake.calls('get_instruments').at(-1)?.status, 'fake answers -32602 with HTTP 400').toBe(400);
    expect(error, 'would be BadSymbolError if http.ts passed JSON-RPC bodies on').toBeInstanceOf(UpstreamUnavailableError);
    expect((error as Error).message).toBe('deribit public/get_instruments: HTTP 400');
  });

  it('rejects a malformed book summary with BadResponseError carrying the path', async () => {
    connect();
    fake.setFault({ kind: 'malformed', times: 1 });
    const error = await api.getBookSummaryByCurrency('ETH').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadResponseError);
    expect((error as BadResponseError).endpoint).toBe('public/get_book_summary_by_currency');
    expect((error as BadResponseError).issues).toEqual(['result[0].mark_price: Invalid input: expected number, received string']);
  });
});
