import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('MARKET_VENUES', () => {
  it('parses a comma list of perpetual venues, lower-cased and de-duplicated; empty by default', () => {
    expect(loadConfig({}).MARKET_VENUES).toEqual([]);
    expect(loadConfig({ MARKET_VENUES: ' Bybit, okx,BYBIT ,' }).MARKET_VENUES).toEqual(['bybit', 'okx']);
  });

  it('refuses an unknown venue and a replay, naming the variable', () => {
    expect(() => loadConfig({ MARKET_VENUES: 'bybit,deribit' })).toThrow(ConfigError);
    expect(() => loadConfig({ MARKET_VENUES: 'bybit,deribit' })).toThrow(/MARKET_VENUES.*unknown venue "deribit": use binance, bybit or okx/);
    expect(() => loadConfig({ MARKET_SOURCE: 'replay', REPLAY_DIR: '/tmp', MARKET_VENUES: 'okx' })).toThrow(/MARKET_VENUES: a replay is one recorded venue/);
  });
});
