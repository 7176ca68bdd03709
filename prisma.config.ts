import { defineConfig } from 'prisma/config';
import { createPGliteAdapter, createPostgresAdapter, openPGlite } from './src/db/adapters.js';

/**
 * Prisma CLI configuration (the server itself never runs the CLI; see src/db/migrate.ts).
 *
 * `engine: 'js'` makes the 6.19 CLI use its bundled WebAssembly schema engine through a driver adapter,
 * so nothing is downloaded. CLI commands also need PRISMA_QUERY_ENGINE_LIBRARY and
 * PRISMA_SCHEMA_ENGINE_BINARY set to any existing file, or the CLI tries to download engines it will not use:
 *
 *   PRISMA_QUERY_ENGINE_LIBRARY=package.json PRISMA_SCHEMA_ENGINE_BINARY=package.json npx prisma migrate status
 *
 * Database: DATABASE_URL (Postgres, `?schema=` honoured) when set, else the embedded PGlite in
 * ./.data/pglite (DATA_DIR respected). Stop the server first when using PGlite: one process per data dir.
 */
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  experimental: { adapter: true },
  engine: 'js',
  async adapter() {
    const url = process.env.DATABASE_URL;
    if (url) return createPostgresAdapter(url);
    return createPGliteAdapter(await openPGlite(process.env.DATA_DIR || './.data'));
  },
});
