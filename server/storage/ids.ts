import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * A random id of `length` base-36 characters (about 5.2 bits each): 16 characters give 82 bits, so
 * capture permalinks cannot be guessed.
 */
export function newId(length = 16): string {
  const bytes = randomBytes(length);
  let id = '';
  for (const byte of bytes) id += ALPHABET[byte % 36];
  return id;
}
