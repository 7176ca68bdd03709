/** Shared shapes of analyzer outputs. Analyzers are pure: typed input in, typed output out. */

/** One reason behind a score or classification, so a user can see why. */
export interface Factor {
  /** Stable machine name, e.g. `rateLevel`. */
  name: string;
  /** The raw measured value (units in `note`). */
  value: number;
  /** Weight of this factor in the composite, 0..1; weights of one composite sum to 1. */
  weight: number;
  /** weight × normalised value, in the composite's units (-1..1 unless stated). */
  contribution: number;
  /** Plain-language explanation. */
  note: string;
}
