import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql ships CJS and ESM builds; Pothos/yoga load the CJS one under Node, so tests must too, or
    // the schema's types come from "another realm" (graphql's duplicate-module check).
    alias: { graphql: 'graphql/index.js' },
  },
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites start servers and databases; keep the two cores for them.
    maxWorkers: 2,
  },
});
