/**
 * mulberry32 (Tommy Ettinger's 32-bit generator): a tiny seeded PRNG, uniform in [0, 1), so searches, fakes and
 * generated test inputs reproduce exactly. Not for anything that must be unpredictable.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws from mulberry32 by Box–Muller (one cosine draw per pair of uniforms). */
export function normalDraws(seed: number): () => number {
  const uniform = mulberry32(seed);
  return () => Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());
}
