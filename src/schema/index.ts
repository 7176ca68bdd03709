import './scalars.js';
import './enums.js';
import '../resolvers/system.js';
import '../resolvers/analysis.js';
import '../resolvers/market.js';
import '../resolvers/funding.js';
import '../resolvers/open-interest.js';
import '../resolvers/long-short.js';
import '../resolvers/basis.js';
import '../resolvers/liquidation-cascades.js';
import '../resolvers/liquidation-heatmap.js';
import '../resolvers/volume.js';
import '../resolvers/volume-profile.js';
import '../resolvers/traps.js';
import '../resolvers/whales.js';
import '../resolvers/sessions.js';
import '../resolvers/volatility.js';
import '../resolvers/regime.js';
import '../resolvers/forecast.js';
import '../resolvers/order-book.js';
import '../resolvers/market-structure.js';
import '../resolvers/key-levels.js';
import '../resolvers/correlation.js';
import '../resolvers/sentiment.js';
import '../resolvers/options-flow.js';
import '../resolvers/options-surface.js';
import '../resolvers/confirmation.js';
import '../resolvers/history.js';
import '../resolvers/analysis-history.js';
import '../resolvers/market-data.js';
import '../resolvers/position-plan.js';
import '../resolvers/scenarios.js';
import '../resolvers/track-record.js';
import '../resolvers/emergency.js';
import '../resolvers/auth.js';
import '../resolvers/alerts.js';
import '../resolvers/macro.js';
import '../resolvers/venues.js';
import '../resolvers/backtests.js';
import { defaultFieldResolver, isObjectType, lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import type { GraphQLContext } from '../context.js';

/** Carries a point-in-time view from a Market field's result to the fields below it (not serialised). */
const VIEW = Symbol('pointInTime');

/**
 * Time travel without touching every resolver: a Market reached with `at` carries its point-in-time services
 * (`view`, see resolvers/market.ts), and the fields of Market and of the types below it that read services
 * (raw market data, the funding countdown) resolve with `ctx.services` replaced by that view. Their object
 * results carry the view on to their own fields.
 */
function withPointInTimeContext(target: GraphQLSchema, typeNames: readonly string[]): GraphQLSchema {
  for (const name of typeNames) {
    const type = target.getType(name);
    if (!isObjectType(type)) throw new Error(`time travel: ${name} is not an object type`);
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (parent, args, ctx: GraphQLContext, info) => {
        const view = (parent as { view?: GraphQLContext['services']; [VIEW]?: GraphQLContext['services'] })?.view ?? (parent as { [VIEW]?: GraphQLContext['services'] })?.[VIEW];
        if (!view) return resolve(parent, args, ctx, info);
        const carry = (value: unknown) => {
          if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.isExtensible(value)) Object.defineProperty(value, VIEW, { value: view, enumerable: false, configurable: true });
          return value;
        };
        const result = resolve(parent, args, { ...ctx, services: view }, info);
        return result instanceof Promise ? result.then(carry) : carry(result);
      };
    }
  }
  return target;
}

export const schema = withPointInTimeContext(builder.toSchema(), ['Market', 'MarketData', 'FundingAnalysis']);
/** The same schema sorted, as printed to schema.graphql. */
export const sortedSchema = lexicographicSortSchema(schema);
