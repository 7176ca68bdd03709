// Its own module, importing nothing: src/errors.ts maps it without importing the engine (no import cycle).

/** `at` is outside what the archive can answer (in the future, or before its first row). A domain error: the resolver maps it. */
export class TimeTravelRangeError extends Error {
  constructor(
    message: string,
    readonly at: number,
    /** Close of the oldest archived bar of the symbol(s) asked (null: nothing archived). */
    readonly reachesBackTo: number | null,
  ) {
    super(message);
    this.name = 'TimeTravelRangeError';
  }
}
