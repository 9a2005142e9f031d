import fc from 'fast-check';
import RE2 from 're2';
import { describe, expect, it } from 'vitest';
import { analyseLiterals, requiredLiterals } from '../../../../server/filter/required-literals.js';

describe('requiredLiterals', () => {
  it.each<[string, string[] | undefined]>([
    ['ERROR|status=5[0-9][0-9]', ['ERROR', 'status=5']],
    ['"(GET|POST|PUT) /shop/95[0-9]+ ', ['"GET /shop/95', '"POST /shop/95', '"PUT /shop/95']],
    ['(charge failed|upstream timeout).*(order_id=3|service=images)', ['charge failed', 'upstream timeout']],
    ['\\bfoo\\b', ['foo']],
    ['[ab]+ status=5', [' status=5']],
    ['x(abc)+y', ['abc']],
    ['\\d+ (?P<level>WARN|ERROR) ', [' WARN ', ' ERROR ']],
    // A pattern starting with a literal is left to RE2, which searches for that literal itself.
    ['order_id=43[0-9]{4} ', undefined],
    ['(?s)abc.def', undefined],
    // Nothing every match must contain, or nothing long enough to be worth searching for.
    ['a.*b', undefined],
    ['x.*|ba', undefined],
    ['x(abc)*y', undefined],
    ['.abc?', undefined],
    ['x*', undefined],
    ['.foo|', undefined],
    // Not analysed: case-insensitivity, \Q...\E, hex and octal escapes, odd repetitions.
    ['(?i)error', undefined],
    ['.(?i:bcd)', undefined],
    ['.\\Qabc\\E', undefined],
    ['.\\x41bcd', undefined],
    ['.abc{,2}', undefined],
  ])('%s', (pattern, expected) => {
    expect(requiredLiterals(pattern, false)).toEqual(expected);
  });

  it.each<[string, string[] | undefined, string]>([
    ['order_id=43[0-9]{4} ', ['order_id=43'], 'order_id=43'],
    ['(?P<id>abc)\\d+', ['abc'], 'abc'],
    ['a{2}bcd', ['bcd'], ''],
    ['(a|b|c|d|e)(f|g|h|i)(jk)x', ['fjkx', 'gjkx', 'hjkx', 'ijkx'], ''],
    ['foo|ba', ['foo', 'ba'], ''],
  ])('analyses %s', (pattern, required, prefix) => {
    expect(analyseLiterals(pattern)).toEqual({ required, prefix });
  });

  it('gives up on case-insensitive filters', () => {
    expect(requiredLiterals('ERROR', true)).toBeUndefined();
  });

  // Literal-rich patterns over a small alphabet, so that the literals are long enough to be used
  // and lines contain them often.
  const char = fc.constantFrom('a', 'b', 'c', '=', ' ', '1');
  const atom = fc.oneof(
    { weight: 8, arbitrary: char },
    { weight: 1, arbitrary: fc.constantFrom('.', '\\d', '[ab]', '[^a]', '\\s', '\\b', '^', '$', '\\.') },
  );
  const quantifier = fc.constantFrom('', '', '', '', '*', '+', '?', '{2}', '{1,3}', '+?');
  const pattern: fc.Arbitrary<string> = fc.letrec<{ pattern: string; piece: string }>((tie) => ({
    piece: fc.oneof(
      { weight: 6, arbitrary: fc.tuple(atom, quantifier).map(([a, q]) => (/^[\^$]|\\b$/.test(a) ? a : a + q)) },
      { weight: 1, arbitrary: fc.tuple(tie('pattern'), quantifier).map(([p, q]) => `(${p})${q}`) },
      { weight: 1, arbitrary: fc.tuple(tie('pattern'), quantifier).map(([p, q]) => `(?:${p})${q}`) },
    ),
    pattern: fc.oneof(
      { weight: 4, arbitrary: fc.array(tie('piece'), { minLength: 1, maxLength: 8 }).map((pieces) => pieces.join('')) },
      { weight: 1, arbitrary: fc.tuple(tie('pattern'), tie('pattern')).map(([a, b]) => `${a}|${b}`) },
    ),
  })).pattern;
  const line = fc.array(char, { maxLength: 30 }).map((chars) => chars.join(''));

  it('never leaves out a line the pattern matches', () => {
    let analysed = 0;
    fc.assert(
      fc.property(pattern, fc.array(line, { minLength: 1, maxLength: 30 }), (source, lines) => {
        let re: RE2;
        try {
          re = new RE2(source);
        } catch {
          // A generated pattern RE2 refuses is not a case.
          return;
        }
        const literals = analyseLiterals(source)?.required;
        if (literals === undefined || literals.length === 0) return;
        analysed += 1;
        for (const text of [...lines, ...literals.map((literal) => `x${literal}x`)]) {
          if (re.test(text)) expect(literals.some((literal) => text.includes(literal)), `${JSON.stringify(text)} matches /${source}/`).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
    // The analysis must actually have been exercised.
    expect(analysed).toBeGreaterThan(300);
  }, 120_000);
});
