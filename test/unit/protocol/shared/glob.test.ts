import fc from 'fast-check';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { GlobSyntaxError, compileGlob, escapeGlob, globLiteral, splitGlobBase } from '../../../../protocol/shared/glob.js';

/** Work allowed per (glob character + 1) × (text character + 1): a few program states each. */
const STEPS_PER_CELL = 8;

function stepBound(glob: string, text: string): number {
  return STEPS_PER_CELL * (glob.length + 1) * (text.length + 1);
}

describe('compileGlob', () => {
  it.each<[string, string[], string[]]>([
    // literals and escapes
    ['web-1', ['web-1'], ['web-10', 'web-', 'Web-1']],
    ['a\\*b', ['a*b'], ['axb']],
    ['app\\[1\\].log', ['app[1].log'], ['app1.log']],
    ['\\{a,b\\}', ['{a,b}'], ['a']],
    ['a\\', ['a\\'], ['a']],
    ['(x)!+@|^$', ['(x)!+@|^$'], ['x']],
    // * and ?
    ['*.log', ['a.log', '.log', 'x.y.log'], ['a.log.1', 'd/a.log']],
    ['web-*', ['web-', 'web-12'], ['db-1']],
    ['a*b*c', ['abc', 'aXbYc', 'abbbc'], ['acb', 'a/b/c']],
    ['?', ['a', '.'], ['', 'ab', '/']],
    ['a?c', ['abc'], ['ac', 'a/c']],
    ['/var/log/*/x.log', ['/var/log/a/x.log'], ['/var/log/x.log', '/var/log/a/b/x.log']],
    // **
    ['/var/**', ['/var', '/var/', '/var/a', '/var/a/b/c.log'], ['/varx', '/tmp/a']],
    ['/var/**/*.log', ['/var/a.log', '/var/x/y/a.log'], ['/var/a.txt']],
    ['**/*.log', ['a.log', '/a.log', 'x/y/a.log'], ['a.txt']],
    ['a/**/b', ['a/b', 'a/x/b', 'a/x/y/b'], ['ab', 'a/xb']],
    ['a/**/**/b', ['a/b', 'a/x/y/b'], ['a/x/c']],
    ['**/**', ['a', 'a/b'], []],
    ['**', ['a', 'a/b/c'], []],
    ['a**b', ['ab', 'axxb'], ['ax/b']],
    ['a/***/b', ['a/x/b'], ['a/b', 'a/x/y/b']],
    ['/**/x', ['/x', '/a/x', '/a/b/x'], ['x', '/a/y']],
    // classes
    ['[abc]', ['a', 'c'], ['d', 'ab']],
    ['[a-c]x', ['bx'], ['dx']],
    ['[!a-c]', ['d', '-'], ['a', '/']],
    ['[^a]', ['b'], ['a', '/']],
    ['[]a]', [']', 'a'], ['b']],
    ['[a-]', ['a', '-'], ['b']],
    ['[\\]]', [']'], ['\\']],
    ['[a\\-z]', ['a', '-', 'z'], ['b']],
    ['[/]', [], ['/']],
    ['x[0-9][0-9]', ['x42'], ['x4', 'x4a']],
    // braces
    ['{a,b}.log', ['a.log', 'b.log'], ['c.log', '{a,b}.log']],
    ['{a,{b,c}}', ['a', 'b', 'c'], ['{b,c}']],
    ['x{,y}', ['x', 'xy'], ['y']],
    ['{web,db}-*', ['web-1', 'db-2'], ['api-1']],
    ['/var/{log,tmp}/*.log', ['/var/log/a.log', '/var/tmp/b.log'], ['/var/run/a.log']],
    ['{a/b,c}', ['a/b', 'c'], ['a']],
    ['{a}', ['{a}'], ['a']],
    ['a}b,c]', ['a}b,c]'], []],
    // characters beyond the BMP are one character each
    ['?.log', ['😀.log'], ['😀😀.log']],
  ])('%s', (glob, yes, no) => {
    const compiled = compileGlob(glob);
    for (const text of yes) expect(compiled.test(text), text).toBe(true);
    for (const text of no) expect(compiled.test(text), text).toBe(false);
  });

  it.each<[string, string[], string[]]>([
    ['*', ['a', 'a.b'], ['.a']],
    ['*.log', ['a.log'], ['.log', '.a.log']],
    ['.*', ['.a'], ['a']],
    ['?x', ['ax'], ['.x']],
    ['[.a]x', ['ax', '.x'], []],
    ['/d/*/x', ['/d/a/x'], ['/d/.a/x']],
    ['/d/**/x', ['/d/x', '/d/a/b/x'], ['/d/.a/x', '/d/a/.b/x']],
    ['/d/.*/x', ['/d/.a/x'], ['/d/a/x']],
    ['/d/a*', ['/d/a.x'], []],
  ])('%s with dot: false skips names starting with a dot', (glob, yes, no) => {
    const compiled = compileGlob(glob, { dot: false });
    for (const text of yes) expect(compiled.test(text), text).toBe(true);
    for (const text of no) expect(compiled.test(text), text).toBe(false);
  });

  it.each([
    ['[abc', '[ at character 1 is not closed'],
    ['x[', '[ at character 2 is not closed'],
    ['{a,b', '{ at character 1 is not closed'],
    ['{a,{b}', '{ at character 1 is not closed'],
    ['[z-a]', 'the range z-a is reversed'],
  ])('refuses %s', (glob, reason) => {
    expect(() => compileGlob(glob)).toThrow(GlobSyntaxError);
    expect(() => compileGlob(glob)).toThrow(reason);
  });

  // The reviewers' reproductions: globs that make a backtracking matcher take exponential time.
  it.each([
    ['*?*?*?*?*?*?*?*?*?*?#', '/var/log/containers/payments-api-7d9f8c6b5-x2x4z_prod_api-0a1b2c3d.log'],
    ['*?*?*?*?*?*?*?*?*?*?#', 'payments-api-7d9f8c6b5-x2x4z_prod_api-0a1b2c3d.log'],
    ['*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(40)],
    ['/**/' + '*a'.repeat(100) + 'b/**', `/x/${'a'.repeat(1000)}/y.log`],
    ['{*,*}{*,*}{*,*}{*,*}{*,*}{*,*}{*,*}{*,*}{*,*}{*,*}#', 'x'.repeat(1000)],
    ['**/**/**/**/**/**/**/**/**/**/#', 'a/'.repeat(500)],
    ['[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*#', 'abcdefghij'.repeat(100)],
  ])('bounds the work of %s on a %#-th hostile text', (glob, text) => {
    const compiled = compileGlob(glob);
    expect(compiled.test(text)).toBe(false);
    expect(compiled.steps).toBeGreaterThan(0);
    expect(compiled.steps).toBeLessThanOrEqual(stepBound(glob, text));
  });

  it('bounds the work by glob length × text length on any input', () => {
    const glob = fc.array(fc.constantFrom('a', '/', '*', '**', '?', '[a-c]', '[!b]', '{a,b*}', '{,*?}', '.'), { maxLength: 40 }).map((parts) => parts.join(''));
    const text = fc.array(fc.constantFrom('a', 'b', '/', '.', 'c'), { maxLength: 200 }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(glob, text, fc.boolean(), (g, t, dot) => {
        const compiled = compileGlob(g, { dot });
        compiled.test(t);
        return compiled.steps <= stepBound(g, t);
      }),
      { numRuns: 500 },
    );
  });
});

// picomatch as the oracle, on inputs where its backtracking is cheap and where the two agree by
// design: non-empty names, no empty, `.` or `..` segments, no trailing slash, no `/**` at the very
// start (picomatch does not let `/**/x` match `/x`; this matcher does), no leading `./` (which
// picomatch drops), no braces that make a `**` only once expanded (`**{b,}`: here `**` is a
// globstar only as written), no `**` inside a segment (picomatch's `**.b` matches `/.b`), no `*/**`
// at the end (picomatch lets `a/**` but not `*/**` match `a`).
describe('compileGlob agrees with picomatch', () => {
  const segment = fc
    .array(fc.constantFrom('a', 'b', 'c', '.', '-'), { minLength: 1, maxLength: 4 })
    .map((chars) => chars.join(''))
    .filter((name) => name !== '.' && name !== '..');
  const text = fc.tuple(fc.boolean(), fc.array(segment, { minLength: 1, maxLength: 4 })).map(([absolute, segments]) => (absolute ? '/' : '') + segments.join('/'));
  // `[^a]` only: picomatch 4 reads `[!a]` as the set of `!` and `a`, not as its negation.
  const token = fc.constantFrom('a', 'b', '.', '-', '/', '*', '**', '?', '[ab]', '[^a]', '[a-c]', '{a,b}', '{a*,.b}', '{b,}', '\\*', '\\a');
  const glob = fc
    .array(token, { minLength: 1, maxLength: 8 })
    .map((tokens) => tokens.join(''))
    .filter((g) => !g.startsWith('/**') && !g.startsWith('./') && !/\*\{|\}\*|[^/]\*\*|\*\*[^/]|\*\/\*\*$/.test(g));

  it.each([true, false])('with dot: %s', (dot) => {
    fc.assert(
      fc.property(glob, text, (g, t) => {
        expect(compileGlob(g, { dot }).test(t), `${g} on ${t}, dot: ${dot}`).toBe(picomatch(g, { dot })(t));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('globLiteral and escapeGlob', () => {
  it.each(['web-1', '/var/log/app[1].log', 'a*b?c', '{x,y}', '/srv/(old)/x+y@z!.log', 'back\\slash', 'a,b}'])('round-trips %s', (literal) => {
    expect(globLiteral(escapeGlob(literal))).toBe(literal);
    expect(compileGlob(escapeGlob(literal)).test(literal)).toBe(true);
  });

  it('reads escapes and plain braces as literal text', () => {
    expect(globLiteral('app\\[1\\].log')).toBe('app[1].log');
    expect(globLiteral('{a}')).toBe('{a}');
  });

  it.each(['web-*', '/var/log/**/*.log', 'a?', '[ab]', '{a,b}', '[unclosed'])('reports %s as not literal', (glob) => {
    expect(globLiteral(glob)).toBeUndefined();
  });
});

describe('splitGlobBase', () => {
  it.each([
    ['/var/log/app.log', undefined],
    ['/var/log/app\\*.log', undefined],
    ['/var/log/*.log', { base: '/var/log', rest: '*.log' }],
    ['/srv/*/logs/*.log', { base: '/srv', rest: '*/logs/*.log' }],
    ['/data/**/*.log', { base: '/data', rest: '**/*.log' }],
    ['/*.log', { base: '/', rest: '*.log' }],
    ['/srv/a\\[1\\]/{x,y}.log', { base: '/srv/a[1]', rest: '{x,y}.log' }],
  ])('%s', (pattern, expected) => {
    expect(splitGlobBase(pattern)).toEqual(expected);
  });
});
