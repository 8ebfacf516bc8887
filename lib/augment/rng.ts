// Counter-based random numbers for JavaScript-side choices (splitmix64 over BigInt keys),
// so every choice depends only on (seed, stream, index), never on order of evaluation.
const MASK = (1n << 64n) - 1n;

function mix(z: bigint): bigint {
  z = (z + 0x9e3779b97f4a7c15n) & MASK;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
  return z ^ (z >> 31n);
}

/** Uniform in [0, 1) for (seed, stream, index). */
export function rngUniform(seed: number, stream: number, index: number): number {
  const z = mix(mix(BigInt(seed) ^ mix(BigInt(stream))) ^ BigInt(index));
  return Number(z >> 11n) / 2 ** 53;
}
