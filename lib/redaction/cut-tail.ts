/** Card numbers have at most 19 digits: digit groups before a cut are taken in up to this many. */
const MAX_CARD_DIGITS = 19;
/**
 * Longest tail hidden. Credentials are shorter; a longer run without a boundary is data (a blob, a
 * long path), of which only the end is hidden.
 */
const MAX_TAIL_CHARS = 1024;

/**
 * Where a token ends: whitespace (Unicode spaces too), quotes, backslashes, brackets and the
 * separators of values and query strings. None of them occurs in the token formats the rules know
 * (base64, hex, key ids, card digits); a password may hold them, but its rule finds it by its key.
 */
const BOUNDARY = /[\s"'`\\,;<>=&|()[\]{}]/u;
/** A tail of lower-case letters only reads as a word cut short, not as the start of a secret... */
const WORD = /^\p{Ll}*$/u;
/** ...unless it follows an authorization scheme: then it is the start of the credentials. */
const AFTER_SCHEME = /(?:^|[^A-Za-z0-9])(?:bearer|basic|token|apikey)[\s\u00a0]+$/i;

function isBoundary(char: string): boolean {
  return BOUNDARY.test(char);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function countDigits(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i += 1) if (isDigit(text.charCodeAt(i))) count += 1;
  return count;
}

/**
 * The start of the part of a line cut short (at a line length limit) that may be the beginning of
 * a secret the cut left too short for any rule to recognize: its last token (AKIAIOSFODN,
 * p@ssw, eyJhbGciOi), and, when that token is a number, the digit groups before it up to a card
 * number's length (4111 1111 1111). Returns undefined when there is nothing to hide: the line ends
 * at a boundary, or in lower-case letters only (a word; but not after `Bearer`), or already ends
 * with `replacement` (so redacting twice changes nothing).
 */
export function cutTailStart(text: string, replacement: string): number | undefined {
  if (text.endsWith(replacement)) return undefined;
  let start = text.length;
  while (start > 0 && !isBoundary(text[start - 1]!)) start -= 1;
  if (/^\d*$/.test(text.slice(start))) {
    let digits = text.length - start;
    // A space, then a token ending in a digit: the groups of a card number written with spaces.
    while (start >= 2 && text[start - 1] === ' ' && isDigit(text.charCodeAt(start - 2))) {
      let groupStart = start - 1;
      while (groupStart > 0 && !isBoundary(text[groupStart - 1]!)) groupStart -= 1;
      digits += countDigits(text.slice(groupStart, start - 1));
      if (digits > MAX_CARD_DIGITS) break;
      start = groupStart;
    }
  }
  if (start === text.length) return undefined;
  if (WORD.test(text.slice(start)) && !AFTER_SCHEME.test(text.slice(0, start))) return undefined;
  if (text.length - start > MAX_TAIL_CHARS) {
    start = text.length - MAX_TAIL_CHARS;
    // Not between the two halves of a surrogate pair.
    if ((text.charCodeAt(start) & 0xfc00) === 0xdc00) start += 1;
  }
  return start;
}
