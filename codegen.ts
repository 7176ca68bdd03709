import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * `npm run codegen` prints the sorted SDL to schema.graphql (from the Pothos schema in code) and
 * generates typed documents for the operations in examples/ into generated/graphql/ (used by the tests; a
 * frontend can copy the same setup). tests/unit/schema.test.ts fails when either output is stale.
 */
const config: CodegenConfig = {
  schema: './src/schema/index.ts',
  documents: ['examples/**/*.graphql'],
  // NodeNext ESM: generated relative imports carry their .js extension.
  emitLegacyCommonJSImports: false,
  generates: {
    'schema.graphql': {
      plugins: ['schema-ast'],
      config: { sort: true, includeDirectives: false, commentDescriptions: false },
    },
    'generated/graphql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { DateTime: 'string', JSON: 'unknown' },
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: false,
      },
    },
  },
  hooks: {},
};

export default config;
