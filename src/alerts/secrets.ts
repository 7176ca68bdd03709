import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.js';

/**
 * Channel secrets at rest: AES-256-GCM (NIST SP 800-38D) with a 96-bit random IV per value and the 128-bit tag,
 * stored as `v1:<base64(iv ‖ tag ‖ ciphertext)>`. Secrets must be recoverable (a webhook is signed with its
 * secret, a Telegram token is part of the URL), so they are encrypted rather than hashed.
 */
export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error(`an AES-256 key has 32 bytes (got ${key.length})`);
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `v1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
    },
    open(sealed) {
      if (!sealed.startsWith('v1:')) throw new Error('not a sealed secret');
      const raw = Buffer.from(sealed.slice(3), 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      try {
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      } catch {
        throw new Error('cannot decrypt a channel secret: ALERTS_SECRET_KEY is not the key it was sealed with');
      }
    },
  };
}

/** ALERTS_SECRET_KEY: 32 bytes as 64 hex digits or base64 (`openssl rand -base64 32`). */
export function parseSecretKey(text: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error('must be 32 bytes: 64 hex digits or base64 (openssl rand -base64 32)');
  return key;
}

export const GENERATED_KEY_FILE = 'alerts-secret.key';

/**
 * The configured key, or (embedded default) one generated once and kept in `<dataDir>/alerts-secret.key`
 * (mode 0600), with a warning: instances sharing a database must share ALERTS_SECRET_KEY.
 */
export async function loadSecretKey(options: { configured: Buffer | undefined; dataDir: string; logger: Logger }): Promise<Buffer> {
  if (options.configured) return options.configured;
  const file = path.resolve(options.dataDir, GENERATED_KEY_FILE);
  try {
    return parseSecretKey((await readFile(file, 'utf8')).trim());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  await chmod(file, 0o600).catch(() => undefined);
  options.logger.warn(
    { file },
    'ALERTS_SECRET_KEY is not set: generated an alert-secret key in the data dir. Back it up; instances sharing a database must all set the same ALERTS_SECRET_KEY',
  );
  return parseSecretKey((await readFile(file, 'utf8')).trim());
}

/** Sealed values of a stored channel (a webhook's signing secret, a Discord URL, a Telegram token). */
function sealedOf(channel: { type: string; secret?: string; url?: string; botToken?: string }): string[] {
  if (channel.type === 'WEBHOOK') return channel.secret ? [channel.secret] : [];
  if (channel.type === 'DISCORD') return channel.url ? [channel.url] : [];
  if (channel.type === 'TELEGRAM') return channel.botToken ? [channel.botToken] : [];
  return [];
}

/**
 * Which stored rules this instance cannot open (a cluster whose instances were given different
 * ALERTS_SECRET_KEY values, or a generated key file that was lost): each such rule's deliveries would go DEAD
 * with "cannot decrypt a channel secret". Checked at start, so the mismatch is reported before any delivery.
 */
export function checkSealedRules(rules: ReadonlyArray<{ id: string; channels: ReadonlyArray<{ type: string }> }>, box: SecretBox): { rules: number; unreadable: string[] } {
  const unreadable: string[] = [];
  for (const rule of rules) {
    const sealed = rule.channels.flatMap((c) => sealedOf(c as Parameters<typeof sealedOf>[0]));
    try {
      for (const value of sealed) box.open(value);
    } catch {
      unreadable.push(rule.id);
    }
  }
  return { rules: rules.length, unreadable };
}
