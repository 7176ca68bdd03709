import type { GraphiQLOptions } from 'graphql-yoga';

/**
 * GraphiQL served from this server, with no CDN: yoga's default page loads its scripts from a CDN and is
 * blank offline. `@graphql-yoga/render-graphiql` inlines the whole bundle (about 9 MB) into the page, so
 * it is imported lazily on the first GraphiQL request (not at start) and the page is rendered once.
 */
export const GRAPHIQL_STARTER_QUERY = `# perpgraph: crypto-futures market intelligence.
# Analysis, not advice. Every result carries meta
# (source LIVE | SIMULATED | REPLAY, asOf, stale).
query Dashboard($symbol: String! = "BTCUSDT") {
  market(symbol: $symbol) {
    symbol
    price
    funding { rate predictedRate annualizedRate zScore signal score meta { source asOf stale } }
    openInterest { meta { source asOf stale } }
    volatility { regime riskMultiplier meta { stale } }
  }
  health { status }
}

# Live updates over graphql-ws: the latest value
# at once, then every change.
# subscription {
#   fundingUpdated(symbol: "BTCUSDT") { rate zScore signal }
# }
`;

export function createGraphiQLRenderer(): (options: GraphiQLOptions) => Promise<string> {
  const pages = new Map<string, Promise<string>>();
  return (options) => {
    const key = JSON.stringify(options);
    let page = pages.get(key);
    if (!page) {
      page = import('@graphql-yoga/render-graphiql').then(({ renderGraphiQL }) => renderGraphiQL(options));
      page.catch(() => pages.delete(key));
      if (pages.size >= 4) pages.clear(); // options are fixed per server; never an unbounded cache
      pages.set(key, page);
    }
    return page;
  };
}
