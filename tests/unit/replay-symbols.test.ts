import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withReplaySymbols } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';

const DATA = '../shared/data/binance-futures';

describe.skipIf(!existsSync(DATA))('replay symbols default to what the recordings hold', () => {
  const env = { MARKET_SOURCE: 'replay', REPLAY_DIR: DATA };

  it('a replay with SYMBOLS unset serves the perpetuals in the files (the shared recordings have no SOLUSDT)', () => {
    const config = withReplaySymbols(loadConfig(env), env);
    expect(config.SYMBOLS, 'the built-in default would stop the start: "SOLUSDT not listed by replay"').not.toContain('SOLUSDT');
    expect(config.SYMBOLS).toContain('BTCUSDT');
    expect(config.SYMBOLS).toContain('ETHUSDT');
    expect([...config.SYMBOLS].sort()).toEqual(config.SYMBOLS);
  });

  it('an explicit SYMBOLS is kept as given', () => {
    const explicit = { ...env, SYMBOLS: 'BTCUSDT,SOLUSDT' };
    expect(withReplaySymbols(loadConfig(explicit), explicit).SYMBOLS).toEqual(['BTCUSDT', 'SOLUSDT']);
  });

  it('other sources keep the default symbols', () => {
    const sim = { MARKET_SOURCE: 'simulated' };
    expect(withReplaySymbols(loadConfig(sim), sim).SYMBOLS).toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT']);
  });
});
