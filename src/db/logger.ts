/**
 * The slice of a pino logger the database layer and the snapshot writer use. A pino `Logger` satisfies it;
 * tests can pass a plain recording object.
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = () => {};
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
