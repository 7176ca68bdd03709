import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * `npm run codegen` prints the sorted SDL to schema.graphql (from the Pothos schema in code), generates
 * typed documents for the operations in examples/ into generated/graphql/ (used by the tests), and the
 * dashboard's operations (web/src/documents/) into web/src/gql/ as typed document strings (the browser
 * sends the text; it needs no graphql-js). tests/unit/schema.test.ts fails when any output is stale.
 */
const config: CodegenConfig = {
  schema: './src/schema/index.ts',
  // NodeNext ESM: generated relative imports carry their .js extension.
  emitLegacyCommonJSImports: false,
  generates: {
    'schema.graphql': {
      plugins: ['schema-ast'],
      config: { sort: true, includeDirectives: false, commentDescriptions: false },
    },
    'generated/graphql/': {
      documents: ['examples/**/*.graphql'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { DateTime: 'string', JSON: 'unknown' },
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: false,
      },
    },
    'web/src/gql/': {
      documents: ['web/src/documents/**/*.graphql'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: 'string',
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
