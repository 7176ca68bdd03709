import type { GlobalMarket } from '../../domain/market.js';
import type { CoinGeckoGlobal } from './schemas.js';

/**
 * `GET /api/v3/global` (shape per docs.coingecko.com; values illustrative), trimmed:
 * {"data":{"active_cryptocurrencies":17452,"markets":1262,
 *  "total_market_cap":{"btc":34121436.2,"eth":1073210339.9,"usd":2913648104357.6, …},
 *  "total_volume":{"usd":98130229155.2, …},
 *  "market_cap_percentage":{"btc":58.31,"eth":8.62,"usdt":4.95, …},
 *  "market_cap_change_percentage_24h_usd":-1.274,"updated_at":1745410812}}
 */
export function toGlobalMarket(body: CoinGeckoGlobal): GlobalMarket {
  const d = body.data;
  return {
    totalMarketCapUsd: d.total_market_cap.usd,
    totalVolumeUsd: d.total_volume.usd,
    btcDominance: d.market_cap_percentage.btc,
    ethDominance: d.market_cap_percentage.eth,
    marketCapChange24hPct: d.market_cap_change_percentage_24h_usd,
    time: d.updated_at * 1000,
  };
}
