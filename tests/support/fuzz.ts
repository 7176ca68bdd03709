import { mulberry32 } from '../../src/math/random.js';
/** mulberry32: a tiny seeded PRNG so every run sends the same operations. */
export const rng = mulberry32;

export type Op = { method: 'GET' | 'POST'; qs?: string; body?: string };

export function generate(next: () => number): Op {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const n = (k: number) => Math.floor(next() * k);
  const json = (query: string, variables?: unknown): Op => ({ method: 'POST', body: JSON.stringify({ query, variables }) });
  switch (n(9)) {
    case 0: return json(pick(['{ symbols { ', '{ market(symbol: ) }', 'query {', '}{', '{ a: }']));
    case 1: return json(`{ ${pick(['nope', 'market { x }', 'symbols { nope }', 'health { x }'])} }`);
    case 2: return json('query($v0: String!) { market(symbol: $v0) { symbol } }', { v0: pick([5, true, null, [1], { a: 1 }]) });
    case 3: return json(`{ ${Array.from({ length: 31 + n(40) }, (_, i) => `a${i}: symbols { symbol }`).join(' ')} }`);
    case 4: return json(`{ __type(name: "Market") { ${'fields { type { '.repeat(6 + n(4))}name${' } }'.repeat(6 + n(4))} } }`);
    case 5: return { method: 'GET', qs: `query=${encodeURIComponent('{ symbols { symbol } }')}&variables=${pick(['%7Bnope', '[', 'null', '%22x%22', '%7B%22a%22%3A'])}` };
    case 6: return { method: 'POST', body: pick(['{"query": ', 'nope', '[1,', '{"query": 5}', '""']) };
    case 7: return json('query($s: [String!]!) { markets(symbols: $s) { symbol price } }', { s: Array.from({ length: 21 + n(2000) }, () => 'BTCUSDT') });
    default: return json(`{ market(symbol: "${pick(['BTCUSDT', 'nope', '', 'x'.repeat(50)])}") { symbol price funding { rate } } }`);
  }
}


/** Sends `count` generated operations (seeded) to `url`; returns how many 5xx and uncoded errors it saw. */
export async function fuzz(url: string, count: number, seed = 10): Promise<{ errors: number; failures: string[] }> {
  const next = rng(seed);
  const failures: string[] = [];
  let errors = 0;
  for (let i = 0; i < count; i++) {
    const op = generate(next);
    const res = await fetch(op.qs ? `${url}?${op.qs}` : url, {
      method: op.method,
      headers: op.method === 'POST' ? { 'content-type': 'application/json', accept: 'application/graphql-response+json' } : { accept: 'application/json' },
      body: op.body,
    });
    const text = await res.text();
    if (res.status >= 500) failures.push(`${res.status} ${op.body ?? op.qs}`.slice(0, 200));
    const body = JSON.parse(text) as { errors?: Array<{ extensions?: { code?: unknown } }> };
    for (const e of body.errors ?? []) {
      errors++;
      if (typeof e.extensions?.code !== 'string') failures.push(`uncoded ${JSON.stringify(e)}`.slice(0, 200));
    }
  }
  return { errors, failures };
}
