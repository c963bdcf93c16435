/**
 * A small seeded pseudo-random source (mulberry32). The mock is deterministic by design: the same
 * seed gives the same generated secrets, so a test run can be replayed. Not for real secrets.
 */
export interface RandomSource {
  next(): number;
  hex(length: number): string;
}

export function createRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const hex = (length: number): string => {
    let out = '';
    while (out.length < length) out += Math.floor(next() * 0x100000000).toString(16).padStart(8, '0');
    return out.slice(0, length);
  };
  return { next, hex };
}
