/** Deterministic PRNG (mulberry32), so a failing random case is the same on every run. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Few distinct symbols so patterns match often; multi-byte and astral characters to exercise offsets.
export const MIXED_ALPHABET = ['a', 'b', 'A', 'B', ' ', '\t', '1', '2', 'é', 'É', '😀', 'x', '-'];
/** ASCII only: the matcher's fast path (byte offsets are UTF-16 offsets) handles every line. */
export const ASCII_ALPHABET = ['a', 'b', 'A', 'B', ' ', '\t', '1', '2', 'x', '-'];

/** `count` short random lines, including empty ones. */
export function randomLines(count: number, seed: number, alphabet: readonly string[] = MIXED_ALPHABET): string[] {
  const random = prng(seed);
  return Array.from({ length: count }, () => {
    const length = Math.floor(random() * 12);
    let line = '';
    for (let i = 0; i < length; i += 1) line += alphabet[Math.floor(random() * alphabet.length)];
    return line;
  });
}
