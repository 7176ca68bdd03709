import { pino, type Logger } from 'pino';
import { redactSecrets } from './errors.js';

export type { Logger };

/** Every string in a log record with `scheme://user:password@` credentials redacted (errors included). */
/**
 * Fields whose name says they hold a credential (a pg client's `password` in `connectionParameters`, an
 * `Authorization` header, a token) are masked whatever their value looks like; URLs are masked by `redactSecrets`.
 */
const SECRET_KEY = /^(password|passwd|passphrase|secret|client_?secret|token|access_?token|refresh_?token|authorization|api[-_]?key)$/i;

function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  // Errors are left to the err serializer (their fields are not enumerable).
  if (!value || typeof value !== 'object' || value instanceof Error || depth > 6) return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && v != null && v !== '' ? '***' : redactDeep(v, depth + 1);
  return out;
}

export function createLogger(level: string, base: Record<string, unknown> = {}, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'perpgraph', ...base },
    // std serializer output exposes its fields through getters: copy them through JSON before walking.
    serializers: { err: (error: Error) => redactDeep(JSON.parse(JSON.stringify(pino.stdSerializers.err(error)))) as pino.SerializedError },
    formatters: { log: (record) => redactDeep(record) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? redactSecrets(a) : a)) as Parameters<typeof method>);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type LogFormat = 'json' | 'pretty';

/** LOG_FORMAT when set; otherwise `pretty` only for a person at a terminal in development. */
export function resolveLogFormat(format: LogFormat | undefined, nodeEnv: string, stdoutIsTTY: boolean): LogFormat {
  return format ?? (stdoutIsTTY && nodeEnv === 'development' ? 'pretty' : 'json');
}

/**
 * The process logger: JSON lines on stdout, or pino-pretty's readable lines (loaded only then, written
 * synchronously so nothing is lost on exit). The same redaction applies to both: it runs before formatting.
 */
export async function createAppLogger(settings: { LOG_LEVEL: string; LOG_FORMAT?: LogFormat | undefined; NODE_ENV: string }): Promise<Logger> {
  if (resolveLogFormat(settings.LOG_FORMAT, settings.NODE_ENV, process.stdout.isTTY === true) === 'json') return createLogger(settings.LOG_LEVEL);
  const { default: pretty } = await import('pino-pretty');
  return createLogger(settings.LOG_LEVEL, {}, pretty({ colorize: process.stdout.isTTY === true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' }));
}
