/** Digits of a card number: 13 to 19, as ISO/IEC 7812 allows. */
const MIN_DIGITS = 13;
const MAX_DIGITS = 19;

/**
 * Issuer prefixes of the big card networks begin with 2 to 6 (Mastercard 2-series and 5x, Amex,
 * Diners and JCB 3x, Visa 4, Discover, UnionPay and Maestro 6x). Requiring one keeps the 13-digit
 * epoch-millisecond timestamps (1xxxxxxxxxxxx) and 19-digit nanosecond ones that fill logs from being
 * taken for cards whenever their Luhn digit happens to fit (one time in ten).
 */
const ISSUER_FIRST_DIGIT = /^[2-6]/;

/** The Luhn (mod 10) check every payment card number passes. `digits` holds only 0-9. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    let digit = digits.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

function plausibleCard(digits: string): boolean {
  return digits.length >= MIN_DIGITS && digits.length <= MAX_DIGITS && ISSUER_FIRST_DIGIT.test(digits) && luhnValid(digits);
}

/**
 * Within `text` (a run of digit groups separated by single spaces or dashes, as the card rule's
 * pattern finds it), the longest run of whole groups that is a plausible card number: 13 to 19
 * digits, an issuer's first digit and a valid Luhn check digit. Returns its [start, end) in `text`,
 * or undefined. Looking at sub-runs catches a card written next to another number
 * ("2024 4111 1111 1111 1111"), which the pattern alone takes in one piece.
 */
export function findCardNumber(text: string): [number, number] | undefined {
  const groups: Array<{ start: number; end: number }> = [];
  const digitRun = /\d+/g;
  for (let found = digitRun.exec(text); found !== null; found = digitRun.exec(text)) {
    groups.push({ start: found.index, end: found.index + found[0].length });
  }
  let best: [number, number] | undefined;
  for (let first = 0; first < groups.length; first += 1) {
    let digits = '';
    for (let last = first; last < groups.length; last += 1) {
      digits += text.slice(groups[last]!.start, groups[last]!.end);
      if (digits.length > MAX_DIGITS) break;
      const start = groups[first]!.start;
      const end = groups[last]!.end;
      if (plausibleCard(digits) && (best === undefined || end - start > best[1] - best[0])) best = [start, end];
    }
  }
  return best;
}
