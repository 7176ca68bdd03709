// `npm run apikey -- <command>`: API keys in the configured database (DATABASE_URL, else the embedded one
// under DATA_DIR), through the same key store as the server. Bundled to dist/apikey.js.
//
//   generate                                            a fresh key for ADMIN_API_KEY (stored nowhere)
//   create --name <name> --scopes <a,b> [--expires <when>] [--json]
//                                                       stores a key and prints it, the only time it is shown
//   list [--json]                                       every key: prefix, name, scopes, state, dates
//   revoke <prefix>                                     revokes the key with that prefix (pg_<prefix>_…)
//
// `--expires`: an ISO-8601 date or date-time (2027-01-31, 2027-01-31T12:00:00Z) or a duration from now
// (90d, 12h, 30m). On the embedded database, run it while the server is stopped: PGlite is single-process.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { createDatabase, type Database } from '../db/database.js';
import { createApiKeyStore, type ApiKeyRecord } from './key-store.js';
import { generateApiKey } from './keys.js';
import { parseScopes } from './scopes.js';

const USAGE = `usage: npm run apikey -- <command>
  generate                                             print a fresh key for ADMIN_API_KEY (not stored)
  create --name <name> --scopes <read,alerts,backtests,admin> [--expires <date|90d|12h>] [--json]
  list [--json]
  revoke <prefix>`;

class UsageError extends Error {}

const DURATION = /^(\d+)\s*([dhm])$/;
const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000 } as const;

/** `2027-01-31`, `2027-01-31T12:00:00Z` or a duration from `now` (`90d`, `12h`, `30m`) → epoch ms in the future. */
function parseExpiry(text: string, now: number): number {
  const duration = DURATION.exec(text.trim());
  const at = duration ? now + Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS] : /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(/T/.test(text) && !/(Z|[+-]\d{2}:?\d{2})$/.test(text) ? `${text}Z` : text) : NaN;
  if (!Number.isFinite(at)) throw new UsageError(`--expires "${text}" is neither an ISO-8601 date (2027-01-31) nor a duration (90d, 12h, 30m)`);
  if (at <= now) throw new UsageError(`--expires "${text}" is not in the future`);
  return at;
}

const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

function state(record: ApiKeyRecord, now: number): string {
  if (record.revokedAt !== null) return 'revoked';
  if (record.expiresAt !== null && record.expiresAt <= now) return 'expired';
  return 'active';
}

function table(records: readonly ApiKeyRecord[], now: number): string {
  const rows = [
    ['PREFIX', 'NAME', 'SCOPES', 'ORIGIN', 'STATE', 'CREATED', 'EXPIRES', 'LAST USED'],
    ...records.map((r) => [r.prefix, r.name, r.scopes.join(','), r.origin, state(r, now), iso(r.createdAt), iso(r.expiresAt), iso(r.lastUsedAt)]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

async function withStore<T>(run: (store: ReturnType<typeof createApiKeyStore>) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  let db: Database | undefined;
  try {
    db = await createDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
    return await run(createApiKeyStore(db.sql));
  } finally {
    await db?.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { name: { type: 'string' }, scopes: { type: 'string' }, expires: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const now = Date.now();
  switch (command) {
    case 'generate': {
      console.log(generateApiKey().plaintext);
      return;
    }
    case 'create': {
      const name = values.name?.trim();
      if (!name) throw new UsageError('create needs --name <name>');
      if (name.length > 100) throw new UsageError('--name is at most 100 characters');
      if (!values.scopes) throw new UsageError('create needs --scopes, e.g. --scopes alerts,read');
      let scopes;
      try {
        scopes = parseScopes(values.scopes);
      } catch (error) {
        throw new UsageError(`--scopes: ${(error as Error).message}`);
      }
      const expiresAt = values.expires === undefined ? null : parseExpiry(values.expires, now);
      const { record, plaintext } = await withStore((store) => store.create({ name, scopes, expiresAt, origin: 'cli' }, now));
      if (values.json) {
        console.log(JSON.stringify({ key: plaintext, ...record }));
        return;
      }
      console.log(plaintext);
      console.error(
        `Created API key ${record.prefix} "${record.name}" (scopes ${record.scopes.join(',')}; expires ${iso(record.expiresAt)}).\n` +
          'The line above is the key: it is shown this once and stored only as a hash. Send it as "Authorization: Bearer <key>".',
      );
      return;
    }
    case 'list': {
      const records = await withStore((store) => store.list());
      if (values.json) console.log(JSON.stringify(records.map((r) => ({ ...r, state: state(r, now) }))));
      else console.log(records.length ? table(records, now) : '(no API keys)');
      return;
    }
    case 'revoke': {
      const prefix = positionals[0]?.replace(/^pg_/, '').split('_')[0];
      if (!prefix || !/^[0-9a-f]{12}$/.test(prefix)) throw new UsageError('revoke needs the key prefix: 12 hex characters (as `list` shows them)');
      const revoked = await withStore(async (store) => {
        const found = await store.findByPrefix(prefix);
        return found ? store.revoke(found.id, now) : undefined;
      });
      if (!revoked) throw new UsageError(`no API key with prefix ${prefix}`);
      console.log(`Revoked API key ${revoked.prefix} "${revoked.name}" (at ${iso(revoked.revokedAt)}).`);
      return;
    }
    default:
      throw new UsageError(command ? `unknown command "${command}"` : 'no command given');
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`apikey: ${error.message}\n${USAGE}`);
    process.exitCode = 2;
  } else if (error instanceof ConfigError) {
    console.error(error.message);
    process.exitCode = 1;
  } else if (error instanceof TypeError && 'code' in error && String((error as { code: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
    console.error(`apikey: ${error.message}\n${USAGE}`);
    process.exitCode = 2;
  } else {
    console.error(`apikey: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
