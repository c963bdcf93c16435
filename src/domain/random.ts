/**
 * A small seeded pseudo-random source (mulberry32). The mock is deterministic by design: the same
 * seed gives the same generated secrets, so a test run can be replayed. Not for real secrets.
 */
export interface RandomSource {
  /** A float in [0, 1). */
  next(): number;
  /** `length` lowercase hexadecimal characters. */
  hex(length: number): string;
}

const HEX_CODES = [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]; // 0-9a-f
/** Character codes → one flat string, natively (a web standard: Node and browsers alike). */
const utf16 = new TextDecoder('utf-16le');
/** The common length (a secret), reused: decoding copies the codes out. */
const codes64 = new Uint16Array(64);

export function createRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  const uint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return {
    next: () => uint32() / 4294967296,
    // Eight hex digits a draw, written as character codes into one flat string (no chain of
    // concatenated pieces to collect): bulk generation makes 100,000 secrets.
    hex(length: number): string {
      const codes = length === 64 ? codes64 : new Uint16Array(length);
      for (let i = 0; i < length; i += 8) {
        const v = uint32();
        for (let j = 0; j < 8 && i + j < length; j++) codes[i + j] = HEX_CODES[(v >>> (28 - 4 * j)) & 15]!;
      }
      return utf16.decode(codes);
    },
  };
}
