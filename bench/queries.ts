/**
 * Queries shared by the HTTP benches and the limits tests, built from the schema so they select every
 * field (scalars, nested objects, `factors`, `meta`) of the analyses a dashboard shows.
 */
import { getNamedType, isLeafType, isObjectType, type GraphQLObjectType } from 'graphql';
import { schema } from '../src/schema/index.js';

function selection(type: GraphQLObjectType, depth: number): string {
  const parts: string[] = [];
  for (const field of Object.values(type.getFields())) {
    if (field.args.some((a) => a.type.toString().endsWith('!') && a.defaultValue === undefined)) continue;
    const named = getNamedType(field.type);
    if (isLeafType(named)) parts.push(field.name);
    else if (isObjectType(named) && depth > 0 && field.name !== 'timeline' && field.name !== 'inputs') {
      const inner = selection(named, depth - 1);
      if (inner) parts.push(`${field.name} { ${inner} }`);
    }
  }
  return parts.join(' ');
}

const market = schema.getType('Market') as GraphQLObjectType;
const fieldsOf = (name: string) => selection(getNamedType(market.getFields()[name]!.type) as GraphQLObjectType, 1);

/** The dashboard analyses of one symbol. */
export const DASHBOARD_FIELDS = ['funding', 'openInterest', 'longShort', 'basis', 'volume', 'structure', 'keyLevels', 'volatility'] as const;

export const dashboardQuery = (symbol = 'BTCUSDT') =>
  `query Dashboard { market(symbol: "${symbol}") { symbol price ${DASHBOARD_FIELDS.map((f) => `${f} { ${fieldsOf(f)} }`).join(' ')} } }`;

/** The same analyses for a list of symbols in one request. */
export const batchQuery = (symbols: readonly string[]) =>
  `query Batch { markets(symbols: ${JSON.stringify(symbols)}) { symbol price ${DASHBOARD_FIELDS.map((f) => `${f} { ${fieldsOf(f)} }`).join(' ')} } }`;

/** 30 aliases × markets(symbols) × liquidationHeatmap, each alias with other (non-default) arguments. */
export const heavyAliasQuery = (symbols: readonly string[], salt = 0) =>
  `query Abuse { ${Array.from({ length: 30 }, (_, i) => `a${i}: markets(symbols: ${JSON.stringify(symbols)}) { liquidationHeatmap(buckets: ${20 + ((i + salt) % 300)}, rangePct: ${1 + ((i * 7 + salt) % 40)}) { price pressureScore } }`).join(' ')} }`;

/** markets(symbols) × 12 analyses with random (non-default) arguments. */
export function randomArgumentsQuery(symbols: readonly string[], random: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const intervals = ['I5M', 'I15M', 'I1H', 'I4H'];
  const parts = [
    `liquidationHeatmap(buckets: ${10 + Math.floor(random() * 390)}) { price }`,
    `volume(interval: ${pick(intervals)}) { symbol }`,
    `volumeProfile(interval: ${pick(intervals)}) { symbol }`,
    `structure(interval: ${pick(intervals)}) { symbol }`,
    `keyLevels(interval: ${pick(intervals)}, tolerancePct: ${(0.05 + random()).toFixed(3)}) { symbol }`,
    `volatility(interval: ${pick(intervals)}) { symbol }`,
    `regime(lookback: ${20 + Math.floor(random() * 200)}) { symbol }`,
    `traps(interval: ${pick(intervals)}, sensitivity: ${(0.05 + random() * 2).toFixed(3)}) { symbol }`,
    `basis(backwardationPct: ${(random() * 2).toFixed(3)}) { symbol }`,
    `whales(minNotional: ${Math.floor(50_000 + random() * 1e6)}) { symbol }`,
    `sessions(interval: ${pick(intervals)}) { symbol }`,
    `liquidationCascades(window: ${pick(['M5', 'M15', 'H4'])}) { symbol }`,
  ];
  return `query Random { markets(symbols: ${JSON.stringify(symbols)}) { symbol ${parts.join(' ')} } }`;
}
