import { rename, rm } from 'node:fs/promises';
import { createDatabase } from './database.js';

// The build-time half of pglite-seed.ts: the template a first start copies.

/** Builds the template data dir at `templateDataDir` (replacing it): initdb, migrations, clean close. */
export async function buildTemplate(templateDataDir: string): Promise<void> {
  const partial = `${templateDataDir}.building-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  const db = await createDatabase({ dataDir: partial });
  await db.close();
  await rm(templateDataDir, { recursive: true, force: true });
  await rename(partial, templateDataDir);
}
