/**
 * What a pattern costs the hub, estimated once at compile time from its text: about how many
 * instructions RE2's compiled program has (`cost`), and how many of them counted repetitions add
 * (`repeated`). RE2 copies a repeated piece once per count, nested counts multiply, so
 * `(?s).{1000}Q` is 14 characters and thousands of instructions. Each copy of a wide class is a
 * position RE2's DFA may track at once: many of them, in one pattern or in a group searched as one
 * program, overflow the DFA's state cache, and RE2 falls back to its far slower NFA for every
 * pattern of that program.
 *
 * The estimate follows how RE2 compiles (one instruction per byte of a literal and per range of an
 * ASCII class, about 8 for a class spanning non-ASCII text such as `.`, `[^x]`, `\W` or `\C`, more
 * for `\pL`), without running RE2: the pattern has already compiled when this runs, and syntax the
 * walk does not model counts one instruction per character.
 */

/** Over this `repeated`, a pattern is costly: evaluated alone and line by line, never in a group. */
export const COSTLY_REPETITION = 500;
/** The patterns of one group may add at most this much `repeated` in all: their copies add up in one DFA. */
export const GROUP_REPETITION_BUDGET = 4000;
/** Over this `cost`, a pattern is refused: `(?s).{1000}Q` is accepted, two such repetitions in one pattern are not. */
export const MAX_PATTERN_COST = 10_000;
/**
 * Over this `lateRepeated`, a pattern is refused. A wide repetition after other text (`a.{500}b`)
 * can leave RE2 that many positions to track for every byte of a line, which line by line does not
 * bound; one leading the pattern (`.{1000}b`) cannot: it only counts the characters before `b`.
 */
export const MAX_LATE_REPETITION = 3000;
/** At most this many distinct costly filters live in one hub at a time (each one is a pass over every line). */
export const MAX_COSTLY_FILTERS_PER_HUB = 16;
/** At most this many of one viewer connection's subscriptions may use a costly filter. */
export const MAX_COSTLY_FILTERS_PER_VIEWER = 4;
/**
 * A costly filter taking more than this share of the hub's time (of one core) over a window of
 * COST_WINDOW_MS is suspended: what a pattern costs also depends on the lines, which no estimate sees.
 */
export const MAX_FILTER_TIME_SHARE = 0.25;
export const COST_WINDOW_MS = 2000;

/** The estimate for one pattern. */
export interface PatternCost {
  /** Estimated RE2 program size, in instructions. */
  cost: number;
  /**
   * The part of `cost` that counted repetitions add (the copies beyond the first): what decides
   * whether a pattern is costly and how many fit in one group. About 0 for ordinary patterns, however long.
   */
  repeated: number;
  /** The part of `repeated` from repetitions after other text (not leading the pattern or a branch of it). */
  lateRepeated: number;
  /** The late counted repetition with the largest count, if any. */
  largestLateRepeat: string | undefined;
  /** The counted repetition with the largest count (e.g. `{1000}`), if any: what to shorten. */
  largestRepeat: string | undefined;
}

/** Instructions for a class that spans non-ASCII text (UTF-8 sequences of several byte ranges). */
const WIDE_CLASS = 8;
/** Instructions for an ASCII class, at most (RE2 merges adjacent ranges). */
const MAX_ASCII_CLASS = 8;

/** Instructions of the ASCII class escapes. */
const ASCII_ESCAPE_RANGES: Record<string, number> = { d: 1, w: 3, s: 3 };
/** Escapes for classes spanning non-ASCII text (negated ASCII classes) or any byte (`\\C`). */
const WIDE_ESCAPES = new Set(['D', 'W', 'S', 'C']);
/** A Unicode class (`\\pL`, `\\p{Greek}`) compiles to tens to thousands of instructions. */
const UNICODE_CLASS = 64;

/** Which counted repetitions a walk costs as all their copies; the others count one copy. */
type Expand = 'all' | 'none' | 'late';

/** Atoms that match no text: they leave a following repetition leading. */
const ZERO_WIDTH_ATOM = /^(?:\^|\$|\\[bBAz])$/;

class CostWalker {
  at = 0;
  /** The largest count of a counted repetition expanded, and its text. */
  private largestCopies = 1;
  largestRepeat: string | undefined;
  private depth = 0;
  /** True until the current top-level branch has an atom that matches text. */
  private atStart = true;

  constructor(
    private readonly source: string,
    private caseInsensitive: boolean,
    private readonly expand: Expand,
  ) {}

  /** Cost of an alternation, up to a ')' or the end. */
  alternation(): number {
    let total = this.concatenation();
    while (this.source[this.at] === '|') {
      this.at += 1;
      total += 1 + this.concatenation();
    }
    return total;
  }

  private concatenation(): number {
    if (this.depth === 0) this.atStart = true;
    let total = 0;
    while (this.at < this.source.length && this.source[this.at] !== '|' && this.source[this.at] !== ')') {
      total += this.repetition();
    }
    return total;
  }

  /** One atom and the repetition operators after it: RE2 copies the atom once per count. */
  private repetition(): number {
    const leading = this.depth === 0 && this.atStart;
    const start = this.at;
    const size = this.atom();
    if (size > 0 && !ZERO_WIDTH_ATOM.test(this.source.slice(start, this.at))) this.atStart = false;
    const expand = this.expand === 'all' || (this.expand === 'late' && !leading);
    let copies = 1;
    let operators = 0;
    for (;;) {
      const char = this.source[this.at];
      if (char === '*' || char === '+' || char === '?') {
        this.at += 1;
      } else if (char === '{') {
        const match = /^\{(\d+)(,(\d*))?\}/.exec(this.source.slice(this.at));
        // A '{' that does not start a count is a literal, the next atom.
        if (!match) break;
        this.at += match[0].length;
        const min = Number(match[1]);
        const max = match[2] === undefined ? min : match[3] === '' ? min + 1 : Number(match[3]);
        // RE2 writes `x{2,5}` as `xx(x(x(x)?)?)?`: an optional copy costs about two mandatory ones.
        if (expand) {
          copies *= Math.max(max + (max - min), 1);
          if (max > this.largestCopies) {
            this.largestCopies = max;
            this.largestRepeat = match[0];
          }
        }
      } else break;
      operators += 1;
      // A lazy marker changes which match is found, not the program's size.
      if (this.source[this.at] === '?') this.at += 1;
    }
    return size * copies + operators;
  }

  /** Cost of one atom at `this.at`, which it moves past. */
  private atom(): number {
    const char = this.source[this.at]!;
    if (char === '(') return this.group();
    if (char === '[') return this.characterClass();
    if (char === '\\') return this.escape();
    const codePoint = this.source.codePointAt(this.at)!;
    this.at += codePoint > 0xffff ? 2 : 1;
    if (char === '.') return WIDE_CLASS;
    if (char === '^' || char === '$') return 1;
    return Buffer.byteLength(String.fromCodePoint(codePoint), 'utf8');
  }

  private group(): number {
    this.at += 1;
    const rest = this.source.slice(this.at);
    const flags = /^\?([a-zA-Z]*)(?:-([a-zA-Z]*))?(:|\))/.exec(rest);
    const named = /^\?P?<[A-Za-z_][A-Za-z0-9_]*>/.exec(rest);
    const outer = this.caseInsensitive;
    if (flags) {
      this.at += flags[0].length;
      if (flags[1]!.includes('i')) this.caseInsensitive = true;
      if (flags[2]?.includes('i')) this.caseInsensitive = false;
      // `(?i)` on its own sets the flag for the rest of the enclosing group and costs nothing.
      if (flags[3] === ')') return 0;
    } else if (named) {
      this.at += named[0].length;
    }
    this.depth += 1;
    const inner = this.alternation();
    this.depth -= 1;
    this.caseInsensitive = outer;
    if (this.source[this.at] === ')') this.at += 1;
    return inner + 2;
  }

  /** A bracketed class: one instruction per ASCII range, WIDE_CLASS when negated or non-ASCII. */
  private characterClass(): number {
    this.at += 1;
    let wide = false;
    if (this.source[this.at] === '^') {
      wide = true;
      this.at += 1;
    }
    let ranges = 0;
    // A ']' first in the class is a literal.
    let first = true;
    while (this.at < this.source.length && (this.source[this.at] !== ']' || first)) {
      first = false;
      if (this.source.startsWith('[:', this.at)) {
        const end = this.source.indexOf(':]', this.at + 2);
        this.at = end < 0 ? this.source.length : end + 2;
        ranges += 2;
        continue;
      }
      const low = this.classChar();
      if (low.wide) wide = true;
      ranges += low.ranges;
      if (this.source[this.at] === '-' && this.source[this.at + 1] !== ']') {
        this.at += 1;
        if (this.classChar().wide) wide = true;
      }
    }
    this.at += 1;
    if (wide) return Math.max(WIDE_CLASS, Math.min(ranges, UNICODE_CLASS));
    // Case folding adds the other case's ranges, and for k and s the Kelvin and long-s signs.
    return Math.min(ranges * (this.caseInsensitive ? 3 : 1), MAX_ASCII_CLASS);
  }

  /** One character or escape inside a class. */
  private classChar(): { wide: boolean; ranges: number } {
    if (this.source[this.at] !== '\\') {
      const code = this.source.codePointAt(this.at)!;
      this.at += code > 0xffff ? 2 : 1;
      return { wide: code > 0x7f, ranges: 1 };
    }
    const escaped = this.source[this.at + 1] ?? '';
    if (escaped === 'p' || escaped === 'P') {
      this.skipEscape();
      return { wide: true, ranges: UNICODE_CLASS };
    }
    if (WIDE_ESCAPES.has(escaped)) {
      this.skipEscape();
      return { wide: true, ranges: 1 };
    }
    const ranges = ASCII_ESCAPE_RANGES[escaped] ?? 1;
    return { wide: this.skipEscape() > 0x7f, ranges };
  }

  /** Moves past an escape; returns its code point when it stands for one character (else 0). */
  private skipEscape(): number {
    const char = this.source[this.at + 1] ?? '';
    this.at += 2;
    if (char === 'p' || char === 'P') {
      if (this.source[this.at] === '{') {
        const end = this.source.indexOf('}', this.at);
        this.at = end < 0 ? this.source.length : end + 1;
      } else this.at += 1;
      return 0;
    }
    if (char === 'x') {
      const hex = /^(?:\{([0-9A-Fa-f]+)\}|([0-9A-Fa-f]{2}))/.exec(this.source.slice(this.at));
      if (!hex) return 0;
      this.at += hex[0].length;
      return parseInt(hex[1] ?? hex[2]!, 16);
    }
    return char.codePointAt(0) ?? 0;
  }

  private escape(): number {
    const char = this.source[this.at + 1] ?? '';
    if (char === 'Q') {
      const end = this.source.indexOf('\\E', this.at + 2);
      const literal = this.source.slice(this.at + 2, end < 0 ? undefined : end);
      this.at = end < 0 ? this.source.length : end + 2;
      return Buffer.byteLength(literal, 'utf8');
    }
    if (WIDE_ESCAPES.has(char) || char === 'p' || char === 'P') {
      this.skipEscape();
      return char === 'p' || char === 'P' ? UNICODE_CLASS : WIDE_CLASS;
    }
    const ranges = ASCII_ESCAPE_RANGES[char];
    const code = this.skipEscape();
    if (ranges !== undefined) return ranges;
    return code > 0x7f ? Buffer.byteLength(String.fromCodePoint(code), 'utf8') : 1;
  }
}

/** Estimates what `pattern` (one RE2 accepts) costs: see the module comment. */
export function estimatePatternCost(pattern: string, caseInsensitive = false): PatternCost {
  const expanded = walk(new CostWalker(pattern, caseInsensitive, 'all'), pattern);
  const late = walk(new CostWalker(pattern, caseInsensitive, 'late'), pattern);
  const single = walk(new CostWalker(pattern, caseInsensitive, 'none'), pattern);
  return {
    // Plus the program's start and match instructions.
    cost: expanded.cost + 2,
    repeated: expanded.cost - single.cost,
    lateRepeated: late.cost - single.cost,
    largestRepeat: expanded.largestRepeat,
    largestLateRepeat: late.largestRepeat,
  };
}

function walk(walker: CostWalker, pattern: string): { cost: number; largestRepeat: string | undefined } {
  let cost = walker.alternation();
  // RE2 refuses an unbalanced ')'; should one get here, it is stepped over rather than looped on.
  while (walker.at < pattern.length) {
    walker.at += 1;
    cost += walker.alternation();
  }
  return { cost, largestRepeat: walker.largestRepeat };
}

/** True when the hub refuses a pattern of this estimate (SG_ERR_TOO_EXPENSIVE). */
export function isTooExpensive(estimate: PatternCost): boolean {
  return estimate.cost > MAX_PATTERN_COST || estimate.lateRepeated > MAX_LATE_REPETITION;
}

/** Why a pattern isTooExpensive, in terms the user can act on. */
export function tooExpensiveMessage(pattern: string, estimate: PatternCost, what = 'pattern'): string {
  const number = (value: number) => value.toLocaleString('en-US');
  const quoted = `${what} ${JSON.stringify(pattern)}`;
  if (estimate.cost > MAX_PATTERN_COST) {
    const fix = estimate.largestRepeat ? `shorten the counted repetition ${estimate.largestRepeat}` : 'shorten it';
    return `${quoted} would cost about ${number(estimate.cost)} RE2 instructions; the limit is ${number(MAX_PATTERN_COST)}: ${fix}`;
  }
  const repeat = estimate.largestLateRepeat ?? '';
  return `${quoted} has the counted repetition ${repeat} after its start, which may leave RE2 about ${number(estimate.lateRepeated)} instructions to follow at every character; the limit is ${number(MAX_LATE_REPETITION)}: shorten the counted repetition ${repeat}, or use .* (unbounded repetition is cheap)`;
}

function quoted(pattern: string, estimate: PatternCost): string {
  const repeat = estimate.largestRepeat ? `, its counted repetition ${estimate.largestRepeat} making it about ${estimate.cost.toLocaleString('en-US')} RE2 instructions` : '';
  return `${JSON.stringify(pattern)} is costly${repeat}`;
}

/** Why a costly filter is refused because its holder or the hub already has as many as allowed. */
export function costlyBudgetMessage(pattern: string, estimate: PatternCost, holder: 'viewer' | 'hub'): string {
  const budget =
    holder === 'viewer'
      ? `this connection already holds ${MAX_COSTLY_FILTERS_PER_VIEWER} costly filters, the most one viewer may: unsubscribe one`
      : `the hub already evaluates ${MAX_COSTLY_FILTERS_PER_HUB} costly filters, the most it will: try again later`;
  return `pattern ${quoted(pattern, estimate)}, and ${budget}, or shorten the repetition`;
}

/** Why a costly filter was stopped after it kept taking too much of the hub's time. */
export function suspendedMessage(pattern: string, estimate: PatternCost, share: number): string {
  const percent = (value: number) => `${Math.round(value * 100)}%`;
  return `pattern ${quoted(pattern, estimate)}; it took ${percent(share)} of the hub's time over ${COST_WINDOW_MS / 1000} s (a filter may take ${percent(MAX_FILTER_TIME_SHARE)}), so it was stopped: shorten the repetition or make the pattern more selective`;
}
