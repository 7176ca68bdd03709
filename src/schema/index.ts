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
import '../resolvers/market-structure.js';
import '../resolvers/key-levels.js';
import '../resolvers/history.js';
import '../resolvers/market-data.js';
import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.js';

export const schema = builder.toSchema();
/** The same schema sorted, as printed to schema.graphql. */
export const sortedSchema = lexicographicSortSchema(schema);
