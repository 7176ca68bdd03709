import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../src/db/database.js';
import { DEFAULT_MIGRATIONS_DIR } from '../../src/db/migrate.js';
import { seedFromTemplate } from '../../src/db/pglite-seed.js';
import { buildTemplate } from '../../src/db/pglite-template.js';

// The build's template database (dist/pglite-template): a first start copies it instead of running initdb.
describe('embedded database template', () => {
  let root: string;
  let template: string;
  let migrations: string[];
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'perpgraph-template-'));
    template = path.join(root, 'template');
    await buildTemplate(template);
    migrations = (await readdir(DEFAULT_MIGRATIONS_DIR, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  }, 120_000);
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('a fresh data dir is seeded from the template: every migration already recorded, none applied again, data usable', async () => {
    const dataDir = path.join(root, 'fresh');
    const logs: string[] = [];
    const logger = { info: (_: unknown, msg?: string) => logs.push(String(msg)), warn: () => {}, error: () => {}, debug: () => {} };
    const db = await createDatabase({ dataDir, template, logger: logger as never });
    try {
      expect(logs).toContain('embedded database created from the build template');
      const { rows } = await db.sql.query<{ migration_name: string }>('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name');
      expect(rows.map((r) => r.migration_name)).toEqual(migrations);
      await db.sql.query('SELECT count(*) FROM analysis_snapshot');
    } finally {
      await db.close();
    }
    expect((await readdir(path.join(root))).filter((n) => n.includes('.seeding-'))).toEqual([]);
  }, 60_000);

  it('an existing database is never replaced by the template', async () => {
    const dataDir = path.join(root, 'existing');
    const first = await createDatabase({ dataDir });
    await first.sql.query('CREATE TABLE kept (x int)');
    await first.close();
    expect(await seedFromTemplate(dataDir, template)).toBe(false);
    const again = await createDatabase({ dataDir, template });
    try {
      expect((await again.sql.query('SELECT count(*)::int AS n FROM kept')).rows).toEqual([{ n: 0 }]);
    } finally {
      await again.close();
    }
  }, 60_000);

  it('no template there: seeding declines and the start runs initdb as before', async () => {
    expect(await seedFromTemplate(path.join(root, 'other'), path.join(root, 'missing-template'))).toBe(false);
  });
});
