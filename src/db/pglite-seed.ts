import { cp, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pgliteDir } from './adapters.js';

/**
 * A first start on the embedded database used to spend most of its time in PGlite's initdb (≈ 3.5 s of CPU of
 * a 5.5 s fresh start on this machine) and in applying the migrations. The build (`npm run build`, run by
 * `npm ci`'s postinstall and by `npm start` when sources changed) therefore creates one initialised, migrated
 * and cleanly closed data dir, `dist/pglite-template/pglite`, with the same PGlite and the same migrations;
 * a start whose `<DATA_DIR>/pglite` does not exist yet copies it (≈ 60 MB of files) instead of running
 * initdb. Migrations still run at every start, so a template older than the migrations is only a head start,
 * never a wrong schema. Postgres data dirs are relocatable; the copy lands under a temporary name first and
 * is renamed into place, so an interrupted copy never looks like a database.
 */

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch {
    return true;
  }
}

/** Copies the template's database to `<dataDir>/pglite` when that does not exist yet. True when it copied. */
export async function seedFromTemplate(dataDir: string, templateDataDir: string): Promise<boolean> {
  const target = pgliteDir(dataDir);
  const source = pgliteDir(templateDataDir);
  if (!(await isEmptyOrMissing(target))) return false;
  try {
    if (!(await stat(path.join(source, 'PG_VERSION'))).isFile()) return false;
  } catch {
    return false;
  }
  const partial = `${target}.seeding-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(path.dirname(target), { recursive: true });
  await cp(source, partial, { recursive: true });
  await rm(target, { recursive: true, force: true }); // an empty dir left by an earlier attempt
  await rename(partial, target);
  return true;
}
