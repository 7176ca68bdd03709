import SchemaBuilder from '@pothos/core';
import ValidationPlugin from '@pothos/plugin-validation';
import { badInput } from '../errors.js';
import type { GraphQLContext } from '../context.js';

/** The one builder. Types live in refs.ts (declarations) and src/resolvers (implementations). */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  Scalars: {
    /** Epoch ms inside the server; ISO-8601 on the wire. Inputs arrive as epoch ms. */
    DateTime: { Input: number; Output: number | Date };
    JSON: { Input: unknown; Output: unknown };
  };
}>({
  plugins: [ValidationPlugin],
  defaultFieldNullability: false,
  validation: {
    validationError: (result) =>
      badInput(
        result.issues
          .map((issue) => {
            const path = issue.path?.map((p) => (typeof p === 'object' ? String(p.key) : String(p))).join('.');
            return path ? `${path}: ${issue.message}` : issue.message;
          })
          .join('; '),
      ),
  },
});

builder.queryType({ description: 'Read the latest analyses, raw market data, snapshots and health.',});
builder.mutationType({ description: 'Changes: API keys, alert rules and jobs. Every mutation needs an API key (Authorization: Bearer <key>).' });
builder.subscriptionType({ description: 'Live updates over graphql-ws: each analysis as it is recomputed, and market events.',});
