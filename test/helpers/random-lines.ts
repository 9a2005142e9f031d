import { seededRandom } from '../../lib/seeded-random.js';

// Few distinct symbols so patterns match often; multi-byte and astral characters to exercise offsets.
const MIXED_ALPHABET = ['a', 'b', 'A', 'B', ' ', '\t', '1', '2', 'é', 'É', '😀', 'x', '-'];
/** ASCII only: the matcher's fast path (byte offsets are UTF-16 offsets) handles every line. */
export const ASCII_ALPHABET = ['a', 'b', 'A', 'B', ' ', '\t', '1', '2', 'x', '-'];

/** `count` short random lines, including empty ones. */
export function randomLines(count: number, seed: number, alphabet: readonly string[] = MIXED_ALPHABET): string[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const length = Math.floor(random() * 12);
    let line = '';
    for (let i = 0; i < length; i += 1) line += alphabet[Math.floor(random() * alphabet.length)];
    return line;
  });
}
