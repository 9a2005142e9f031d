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
    ['a word after a scheme earlier in the line', 'Authorization: Bearer xyz then some word', 'Authorization: Bearer xyz then some word'],
    ['a scheme at the start of the line', 'bearer abcdef', `bearer ${R}`],
    ['a scheme followed by two spaces', 'Bearer  abcdef', `Bearer  ${R}`],
    ['a line cut right after a scheme', 'Authorization: Bearer ', 'Authorization: Bearer '],
    ['a number after a sign that is no digit', 'ref # 1234', `ref # ${R}`],
    ['a number after a separator, not a space', 'a1,2345', `a1,${R}`],
    ['a one-digit group at the start of the line', '1 2345', R],
    ['digit groups of exactly a card number’s 19 digits', '4111 1111 1111 1111 123', R],
    ['the digits of the groups before, not their letters', 'abcdefghijklmnopq1 4111', R],
    ['after digit groups, a token that is no number', 'card 4111 Abc', `card 4111 ${R}`],
    ['a short token at the end of a long line', `${'a '.repeat(1000)}Secret1`, `${'a '.repeat(1000)}${R}`],
  ])('%s', (_name, text, expected) => {
    expect(hide(text)).toBe(expected);
  });

  it('never leaves half of a surrogate pair when it hides only the end of a long token', () => {
    const text = `x ${'\u{1F600}'.repeat(600)}Z`;
    const start = cutTailStart(text, R)!;
    expect(start).toBe(text.length - 1023);
    expect(text.charCodeAt(start) & 0xfc00).not.toBe(0xdc00);
  });

  it('leaves a line ending in a replacement that is no boundary', () => {
    expect(cutTailStart('password=XXXX', 'XXXX')).toBeUndefined();
  });
});
