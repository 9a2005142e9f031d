import RE2 from 're2';
import { describe, expect, it } from 'vitest';
import type { FilterSpec, MatchRange } from '../../../../protocol/index.js';
import type { BatchRef, SourceRef } from '../../../../server/filter/batch-lines.js';
import { FilterEngine, FilterError } from '../../../../server/filter/filter-engine.js';
import { ASCII_ALPHABET, randomLines } from '../../../helpers/random-lines.js';

const SOURCE: SourceRef = { host: 'web-1', file: '/var/log/app.log', idPrefix: 'hub-1-' };

function batchOf(lines: readonly string[], extra: Partial<BatchRef> = {}): BatchRef {
  return { body: Buffer.from(lines.map((line) => `${line}\n`).join('')), firstPos: 0, ts: 1000, truncated: undefined, ...extra };
}

/** Lines the filter matches, as [line, ranges] pairs. */
function run(spec: FilterSpec, lines: readonly string[], source = SOURCE): Array<[string, MatchRange[]]> {
  const engine = new FilterEngine();
  engine.acquire(spec);
  const results = engine.matchBatch(source, batchOf(lines));
  expect(results.length).toBeLessThanOrEqual(1);
  return (results[0]?.lines ?? []).map((line) => [line.line, line.ranges]);
}

describe('FilterEngine matching', () => {
  it.each<[string, FilterSpec, string[], Array<[string, MatchRange[]]>]>([
    ['a literal, every occurrence', { query: 'error' }, ['an error here', 'fine', 'error error'], [['an error here', [[3, 8]]], ['error error', [[0, 5], [6, 11]]]]],
    ['ranges in UTF-16 after multi-byte text', { query: 'wörld' }, ['héllo wörld'], [['héllo wörld', [[6, 11]]]]],
    ['a surrogate pair counts two code units', { query: 'x' }, ['a😀x'], [['a😀x', [[3, 4]]]]],
    ['a multi-byte match', { query: '😀+' }, ['ab😀😀c'], [['ab😀😀c', [[2, 6]]]]],
    ['case-sensitive by default', { query: 'ERROR' }, ['Error: x', 'ERROR: y'], [['ERROR: y', [[0, 5]]]]],
    ['caseInsensitive', { query: 'ERROR', caseInsensitive: true }, ['Error: x', 'ok'], [['Error: x', [[0, 5]]]]],
    ['caseInsensitive beyond ASCII', { query: 'É', caseInsensitive: true }, ['café'], [['café', [[3, 4]]]]],
    ['^ is a line start', { query: '^foo' }, ['foo', 'x foo', 'foo bar'], [['foo', [[0, 3]]], ['foo bar', [[0, 3]]]]],
    ['$ is a line end', { query: 'bar$' }, ['bar x', 'foo bar'], [['foo bar', [[4, 7]]]]],
    ['\\s can match across lines in the batch: only a candidate', { query: 'a\\sb' }, ['xa', 'bx', 'a b'], [['a b', [[0, 3]]]]],
    ['a line ending in the pattern start is not a match', { query: 'c\\s' }, ['abc', 'def'], []],
    ['a negated class spanning a newline', { query: 'x[^y]+z' }, ['ax', 'z', 'x-z'], [['x-z', [[0, 3]]]]],
    ['an empty line matches ^$ with no ranges', { query: '^$' }, ['a', '', 'b'], [['', []]]],
    ['empty matches select every line with no ranges', { query: 'x*' }, ['a', 'bxx'], [['a', []], ['bxx', [[1, 3]]]]],
    ['word boundaries', { query: '\\bid\\b' }, ['idle', 'an id here'], [['an id here', [[3, 5]]]]],
    ['\\z anchors each line (evaluated line by line)', { query: 'foo\\z' }, ['a foo', 'foo b', 'foo'], [['a foo', [[2, 5]]], ['foo', [[0, 3]]]]],
    ['\\A anchors each line', { query: '\\Afoo' }, ['foo a', 'b foo'], [['foo a', [[0, 3]]]]],
    ['exclude removes lines', { query: 'error', exclude: 'debug' }, ['error debug', 'error info'], [['error info', [[0, 5]]]]],
    ['exclude honours caseInsensitive', { query: 'x', exclude: 'DEBUG', caseInsensitive: true }, ['x debug', 'x info'], [['x info', [[0, 1]]]]],
    ['empty query matches every line', { query: '' }, ['a', '', 'c'], [['a', []], ['', []], ['c', []]]],
    ['empty query with exclude', { query: '', exclude: '^#' }, ['# comment', 'code', '#x', 'more'], [['code', []], ['more', []]]],
    ['empty query with a cross-line exclude candidate', { query: '', exclude: 'a\\sb' }, ['xa', 'bx', 'a b'], [['xa', []], ['bx', []]]],
    ['hostile pattern stays linear', { query: '(a+)+$' }, ['aaab', 'aa'], [['aa', [[0, 2]]]]],
  ])('%s', (_name, spec, lines, expected) => {
    expect(run(spec, lines)).toEqual(expected);
  });

  it('assigns ids from the stream position and marks truncated lines', () => {
    const engine = new FilterEngine();
    engine.acquire({ query: '' });
    const batch = batchOf(['one', 'two', 'three'], { firstPos: 100, truncated: new Set([4]) });
    const [result] = engine.matchBatch(SOURCE, batch);
    expect(result!.lines.map((line) => [line.id, line.truncated, line.host, line.file, line.ts])).toEqual([
      ['hub-1-100', undefined, 'web-1', '/var/log/app.log', 1000],
      ['hub-1-104', true, 'web-1', '/var/log/app.log', 1000],
      ['hub-1-108', undefined, 'web-1', '/var/log/app.log', 1000],
    ]);
  });

  describe('eventTs: the time each matched line states', () => {
    const received = Date.UTC(2026, 11, 7, 10, 22, 5);
    const lines = [
      '2026-12-07T10:22:02.123Z INFO hit one',
      'hit with no time of its own',
      '{"level":"info","ts":"2026-12-07T10:22:03Z","msg":"hit"}',
      'Dec  7 10:22:04 web-1 sshd: héllo hit',
    ];
    const expected = [Date.UTC(2026, 11, 7, 10, 22, 2, 123), undefined, Date.UTC(2026, 11, 7, 10, 22, 3), Date.UTC(2026, 11, 7, 10, 22, 4)];
    // One spec per way the engine finds lines: literal pre-filter, batch scan, line by line (costly, \\z), every line.
    it.each<[string, FilterSpec]>([
      ['a literal', { query: 'hit' }],
      ['a batch-scanned pattern', { query: 'h[i]t' }],
      ['a line-by-line pattern', { query: 'hit\\b.{0,5}\\z|hit' }],
      ['a costly pattern', { query: 'hi[a-z]{0,300}t' }],
      ['every line', { query: '' }],
    ])('%s', (_name, spec) => {
      const engine = new FilterEngine();
      engine.acquire(spec);
      const [result] = engine.matchBatch(SOURCE, batchOf(lines, { ts: received }));
      expect(result!.lines.map((line) => [line.ts, line.eventTs])).toEqual(expected.map((eventTs) => [received, eventTs]));
      // Left out of the JSON a viewer receives when the line states no time.
      expect(JSON.parse(JSON.stringify(result!.lines[1]))).not.toHaveProperty('eventTs');
    });

    it('through a pattern group of several filters', () => {
      const engine = new FilterEngine();
      const filters = ['hit', 'one', 'sshd'].map((query) => [query, engine.acquire({ query })] as const);
      const results = engine.matchBatch(SOURCE, batchOf(lines, { ts: received }));
      const byQuery = new Map(filters.map(([query, filter]) => [query, results.find((result) => result.filter === filter)?.lines.map((line) => line.eventTs)]));
      expect(byQuery.get('hit')).toEqual(expected);
      expect(byQuery.get('one')).toEqual([expected[0]]);
      expect(byQuery.get('sshd')).toEqual([expected[3]]);
    });
  });

  it('stays fast on a hostile pattern over 30 KB lines', () => {
    const lines = Array.from({ length: 20 }, (_, i) => 'a'.repeat(30_000) + (i % 2 ? 'b' : ''));
    const matched = run({ query: '(a+)+$' }, lines);
    // Backtracking engines take exponential time here; the test's timeout would catch that.
    expect(matched).toHaveLength(10);
  });
});

describe('FilterEngine host and file globs', () => {
  it.each<[string, FilterSpec, SourceRef, boolean]>([
    ['no globs select everything', { query: '' }, SOURCE, true],
    ['host glob', { query: '', hosts: ['web-*'] }, SOURCE, true],
    ['host glob that does not match', { query: '', hosts: ['db-*'] }, SOURCE, false],
    ['any host glob may match', { query: '', hosts: ['db-*', 'web-1'] }, SOURCE, true],
    ['file glob without a slash matches the basename', { query: '', files: ['*.log'] }, SOURCE, true],
    ['file glob with a slash matches the whole path', { query: '', files: ['/var/log/*.log'] }, SOURCE, true],
    ['file glob with a slash does not match a basename', { query: '', files: ['/tmp/*.log'] }, SOURCE, false],
    ['globstar', { query: '', files: ['/var/**'] }, SOURCE, true],
    ['host and file both must select', { query: '', hosts: ['web-*'], files: ['*.txt'] }, SOURCE, false],
  ])('%s', (_name, spec, source, selected) => {
    const engine = new FilterEngine();
    const filter = engine.acquire(spec);
    expect(filter.selects(source.host, source.file)).toBe(selected);
    expect(engine.matchBatch(source, batchOf(['line'])).length).toBe(selected ? 1 : 0);
  });
});

describe('FilterEngine sharing', () => {
  it('compiles identical specs once, evaluates them once and frees them with the last reference', () => {
    const engine = new FilterEngine();
    const a = engine.acquire({ query: 'x', hosts: ['b', 'a'], caseInsensitive: false });
    const b = engine.acquire({ query: 'x', hosts: ['a', 'b', 'a'] });
    expect(b).toBe(a);
    expect(engine.size).toBe(1);
    expect(engine.matchBatch(SOURCE, batchOf(['x']))).toHaveLength(0); // hosts a/b do not select web-1
    const c = engine.acquire({ query: 'x' });
    expect(engine.matchBatch(SOURCE, batchOf(['x']))).toEqual([{ filter: c, lines: [expect.objectContaining({ line: 'x' })] }]);
    engine.release(a);
    expect(engine.size).toBe(2);
    engine.release(b);
    expect(engine.size).toBe(1);
    engine.release(c);
    expect(engine.size).toBe(0);
    expect(engine.matchBatch(SOURCE, batchOf(['x']))).toEqual([]);
  });

  it('treats different flags as different filters', () => {
    const engine = new FilterEngine();
    expect(engine.acquire({ query: 'x', caseInsensitive: true })).not.toBe(engine.acquire({ query: 'x' }));
    expect(engine.size).toBe(2);
  });
});

describe('FilterEngine bad patterns', () => {
  const LOOKAROUND = 'lookahead and lookbehind are not supported by RE2 (it guarantees linear time)';
  it.each<[FilterSpec, string]>([
    [{ query: '(a)\\1' }, 'invalid pattern "(a)\\\\1": backreferences are not supported by RE2'],
    [{ query: '(?<n>a)\\k<n>' }, 'invalid pattern "(?<n>a)\\\\k<n>": backreferences are not supported by RE2'],
    [{ query: 'a(?=b)' }, `invalid pattern "a(?=b)": ${LOOKAROUND}`],
    [{ query: 'a(?!b)' }, `invalid pattern "a(?!b)": ${LOOKAROUND}`],
    [{ query: '(?<=a)b' }, `invalid pattern "(?<=a)b": ${LOOKAROUND}`],
    [{ query: '(?<!a)b' }, `invalid pattern "(?<!a)b": ${LOOKAROUND}`],
    [{ query: 'a++' }, 'invalid pattern "a++": possessive quantifiers and atomic groups are not supported by RE2 (it never backtracks, so they are not needed)'],
    [{ query: '(ab' }, 'invalid pattern "(ab": missing ) at "(ab"'],
    [{ query: 'a{2,1}' }, 'invalid pattern "a{2,1}": invalid repetition size at "{2,1}"'],
    [{ query: 'ok', exclude: 'x(?=y)' }, `invalid exclude pattern "x(?=y)": ${LOOKAROUND}`],
  ])('%j', (spec, message) => {
    const engine = new FilterEngine();
    let error: unknown;
    try {
      engine.acquire(spec);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FilterError);
    expect(error).toMatchObject({ code: 'SG_ERR_BAD_REGEX', message });
    expect(engine.size).toBe(0);
  });
});

/** The obvious evaluation: each line on its own, as a string. */
function naive(spec: FilterSpec, lines: readonly string[]): Array<[string, MatchRange[]]> {
  const flags = spec.caseInsensitive ? 'gi' : 'g';
  const include = spec.query ? new RE2(spec.query, flags) : undefined;
  const exclude = spec.exclude ? new RE2(spec.exclude, flags.replace('g', '')) : undefined;
  const out: Array<[string, MatchRange[]]> = [];
  for (const line of lines) {
    let ranges: MatchRange[] = [];
    if (include) {
      // Not String#matchAll: after an empty match it steps one code unit, into the middle of a
      // surrogate pair, where node-re2 reports wrong offsets. Step one code point instead.
      include.lastIndex = 0;
      if (!include.test(line)) continue;
      ranges = [];
      for (let at = 0; at <= line.length; ) {
        include.lastIndex = at;
        const m = include.exec(line);
        if (!m) break;
        if (m[0].length > 0) ranges.push([m.index, m.index + m[0].length]);
        at = m[0].length > 0 ? m.index + m[0].length : m.index + (line.codePointAt(m.index)! > 0xffff ? 2 : 1);
      }
    }
    if (exclude?.test(line)) continue;
    out.push([line, ranges]);
  }
  return out;
}

describe.each([
  ['mixed text', randomLines(4000, 0x5eed)],
  ['ASCII text', randomLines(4000, 0xa5c11, ASCII_ALPHABET)],
])('FilterEngine against a per-line evaluation (%s)', (_corpus, lines) => {
  it.each<[FilterSpec]>([
    [{ query: 'a' }],
    [{ query: 'ab+' }],
    [{ query: '^a' }],
    [{ query: 'b$' }],
    [{ query: '\\s' }],
    [{ query: 'a\\s+b' }],
    [{ query: '[^a]+b' }],
    [{ query: '\\d{2}' }],
    [{ query: '1|é' }],
    [{ query: 'b|É', caseInsensitive: true }],
    [{ query: '😀.|x-' }],
    [{ query: '^$' }],
    [{ query: 'x*', exclude: '1' }],
    [{ query: '\\bab\\b' }],
    [{ query: 'a.*b' }],
    [{ query: '(?s)a.b' }],
    [{ query: 'b\\z' }],
    [{ query: 'A', caseInsensitive: true, exclude: 'b' }],
    [{ query: '', exclude: '\\d' }],
    [{ query: '', exclude: 'a\\sb' }],
    [{ query: '\\s*$', exclude: '2' }],
    [{ query: '[ab]\\s*', exclude: '^$' }],
    [{ query: '\\s\\S' }],
    [{ query: '(?m)^b|a$' }],
  ])('%j', (spec) => {
    const expected = naive(spec, lines);
    // Every case selects some lines and leaves out others, or the comparison proves little.
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(lines.length);
    expect(run(spec, lines)).toEqual(expected);
  });
});
