import { describe, expect, it } from 'vitest';
import { cutTailStart } from '../../../../lib/redaction/cut-tail.js';

const R = '[REDACTED]';

/** The line as redaction leaves it: from cutTailStart on, the replacement. */
function hide(text: string): string {
  const start = cutTailStart(text, R);
  return start === undefined ? text : text.slice(0, start) + R;
}

describe('cutTailStart', () => {
  it.each<[string, string, string]>([
    ['a key id cut short', 'using AKIAIOSFODN', `using ${R}`],
    ['a value after =, & or a bracket', 'GET /x?a=1&sig=abcdef0123', `GET /x?a=1&sig=${R}`],
    ['a URL with a password holding @', 'db postgres://app:p@ss', `db ${R}`],
    ['inside JSON: the token after the last quote', '{"k":"v","t":"eyJhbGciOi', `{"k":"v","t":"${R}`],
    ['a card in groups of four, cut after 12 digits', 'paid 4111 1111 1111', `paid ${R}`],
    ['a card cut just after a group', 'paid 4111 1111 1111 ', `paid ${R}`],
    ['a card after its key', 'card=4111 1111 11', `card=${R}`],
    ['digit groups only as far as a card number reaches', '1234 5678 9012 3456 7890 1234', `1234 5678 ${R}`],
    ['after a no-break space', 'password\u00a0Hunt', `password\u00a0${R}`],
    ['only the last 1024 characters of a longer token', `x ${'aB'.repeat(1000)}`, `x ${'aB'.repeat(488)}${R}`],
    ['a word cut short: lower-case letters only', 'the last err', 'the last err'],
    ['a long word', `x ${'y'.repeat(5000)}`, `x ${'y'.repeat(5000)}`],
    ['a line cut after a space: nothing to hide', 'done in 12 ms ', 'done in 12 ms '],
    ['a line already ending in the replacement', `token=${R}`, `token=${R}`],
  ])('%s', (_name, text, expected) => {
    expect(hide(text)).toBe(expected);
  });
});
