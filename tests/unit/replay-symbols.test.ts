import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withReplaySymbols } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';

const DATA = '../shared/data/binance-futures';

describe.skipIf(!existsSync(DATA))('replay symbols default to what the recordings hold', () => {
  const env = { MARKET_SOURCE: 'replay', REPLAY_DIR: DATA };

  it('a replay with SYMBOLS unset serves the perpetuals in the files, feather files included', () => {
    const config = withReplaySymbols(loadConfig(env), env);
    // JSON: BTC, ETH (+ XRP, LTC, BCH 15m); feather (SOURCES.md §8): BTC, ETH, SOL, XRP, DOGE.
    expect(config.SYMBOLS).toEqual(['BCHUSDT', 'BTCUSDT', 'DOGEUSDT', 'ETHUSDT', 'LTCUSDT', 'SOLUSDT', 'XRPUSDT']);
  });

  it('a replay of the JSON recordings alone leaves out SOLUSDT (the built-in default would stop the start)', () => {
    const json = { MARKET_SOURCE: 'replay', REPLAY_DIR: `${DATA}/klines/BTCUSDT-5m.freqtrade.json,${DATA}/klines/ETHUSDT-5m.freqtrade.json` };
    expect(withReplaySymbols(loadConfig(json), json).SYMBOLS).toEqual(['BTCUSDT', 'ETHUSDT']);
  });

  it('the whole shared folder: the same perpetuals; spot-only pairs (ADA, BNB) and market-wide files add none', () => {
    const all = { MARKET_SOURCE: 'replay', REPLAY_DIR: '../shared/data' };
    expect(withReplaySymbols(loadConfig(all), all).SYMBOLS).toEqual(['BCHUSDT', 'BTCUSDT', 'DOGEUSDT', 'ETHUSDT', 'LTCUSDT', 'SOLUSDT', 'XRPUSDT']);
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
