/**
 * Literal pre-filter for RE2 patterns: a short list of strings such that every match of the
 * pattern contains at least one of them. Searching a batch for those strings with Buffer#indexOf
 * (several GB/s) and checking only the lines that contain one is faster than running RE2's DFA over
 * every byte (a fraction of that) whenever the strings are rare, as they are in what people search logs
 * for: `ERROR|status=5\d\d` needs "ERROR" or "status=5".
 *
 * The analysis understands a conservative subset of the syntax (literals, escapes, classes, groups,
 * alternation, repetition) and gives up on anything else, including case-insensitivity: giving up
 * only means the pattern is searched by RE2 alone.
 */

/** More strings than this cost more indexOf passes than one DFA pass. */
export const MAX_LITERALS = 4;
/** Shorter strings occur too often in log lines to pre-filter anything. */
const MIN_LITERAL_BYTES = 3;
/** Bound on the exact-set cross products built while analysing (`(a|b)(c|d)...`). */
const MAX_EXACT = 16;

/** What a piece of a pattern is known to match. */
interface Info {
  /** Every string the piece can match, when that is a small finite set. */
  exact?: string[];
  /** Strings at least one of which every match of the piece contains. */
  required?: string[];
}

class GiveUp extends Error {}

const CLASS_ESCAPES = new Set(['d', 'D', 's', 'S', 'w', 'W']);
const ZERO_WIDTH_ESCAPES = new Set(['b', 'B', 'A', 'z']);
const CONTROL_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07' };

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Higher is a better pre-filter: long shortest string first, then fewer strings. */
function score(set: readonly string[]): number {
  if (set.length === 0 || set.length > MAX_LITERALS) return -1;
  return Math.min(...set.map(bytes)) * 16 - set.length;
}

function better(a: string[] | undefined, b: string[] | undefined): string[] | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return score(b) > score(a) ? b : a;
}

class Parser {
  private at = 0;
  private depth = 0;
  /** The literal text every match starts with (top level only); '' when none. */
  prefix = '';

  constructor(private readonly source: string) {}

  parse(): Info {
    const info = this.alternation();
    if (this.at !== this.source.length) throw new GiveUp();
    return info;
  }

  private peek(): string | undefined {
    return this.source[this.at];
  }

  private alternation(): Info {
    this.depth += 1;
    const branches = [this.concatenation()];
    while (this.peek() === '|') {
      this.at += 1;
      branches.push(this.concatenation());
    }
    this.depth -= 1;
    if (branches.length === 1) return branches[0]!;
    if (this.depth === 0) this.prefix = '';
    const info: Info = {};
    if (branches.every((branch) => branch.exact)) {
      const union = [...new Set(branches.flatMap((branch) => branch.exact!))];
      if (union.length <= MAX_EXACT) info.exact = union;
    }
    const sets = branches.map((branch) => branch.required ?? branch.exact);
    if (sets.every((set) => set !== undefined && set.every((text) => text.length > 0))) {
      info.required = [...new Set(sets.flatMap((set) => set!))];
    }
    return info;
  }

  private concatenation(): Info {
    let product: string[] = [''];
    let best: string[] | undefined;
    let allExact = true;
    const topLevel = this.depth === 1;
    const flush = () => {
      if (product.every((text) => text.length > 0)) best = better(best, product);
    };
    while (this.at < this.source.length && this.peek() !== '|' && this.peek() !== ')') {
      const item = this.repetition();
      if (item.exact) {
        const next: string[] = [];
        for (const left of product) for (const right of item.exact) next.push(left + right);
        if (next.length <= MAX_EXACT) {
          product = [...new Set(next)];
          continue;
        }
      }
      // This piece ends the run of exactly known text (it is not exact, or the cross product grew
      // too large): what was known so far is one candidate, what the piece itself requires another,
      // and the concatenation as a whole is no longer exactly known.
      if (topLevel && allExact && product.length === 1) this.prefix = product[0]!;
      allExact = false;
      flush();
      best = better(best, item.required);
      product = item.exact ? [...item.exact] : [''];
    }
    if (topLevel && allExact && product.length === 1) this.prefix = product[0]!;
    flush();
    const info: Info = {};
    if (allExact) info.exact = product;
    if (best) info.required = best;
    return info;
  }

  private repetition(): Info {
    const atom = this.atom();
    const next = this.peek();
    let min: number;
    if (next === '*' || next === '?') {
      min = 0;
      this.at += 1;
    } else if (next === '+') {
      min = 1;
      this.at += 1;
    } else if (next === '{') {
      const match = /^\{(\d+)(,\d*)?\}/.exec(this.source.slice(this.at));
      if (!match) throw new GiveUp();
      min = Number(match[1]);
      this.at += match[0].length;
    } else {
      return atom;
    }
    // A lazy marker (`*?`) changes which match is found, not what it contains.
    if (this.peek() === '?') this.at += 1;
    if (this.peek() === '*' || this.peek() === '+' || this.peek() === '?' || this.peek() === '{') throw new GiveUp();
    if (min === 0) return {};
    const required = atom.required ?? atom.exact;
    return required && required.every((text) => text.length > 0) ? { required } : {};
  }

  private atom(): Info {
    const char = this.source[this.at];
    if (char === undefined) throw new GiveUp();
    if (char === '(') return this.group();
    if (char === '[') {
      this.skipClass();
      return {};
    }
    if (char === '.' || char === '^' || char === '$') {
      this.at += 1;
      return {};
    }
    if (char === '\\') return this.escape();
    if (char === '*' || char === '+' || char === '?' || char === '{' || char === ')' || char === '|') throw new GiveUp();
    const codePoint = this.source.codePointAt(this.at)!;
    const text = String.fromCodePoint(codePoint);
    this.at += text.length;
    return { exact: [text] };
  }

  private group(): Info {
    this.at += 1;
    if (this.peek() === '?') {
      const rest = this.source.slice(this.at);
      const named = /^\?P?<[A-Za-z_][A-Za-z0-9_]*>/.exec(rest);
      const flags = /^\?([a-zA-Z-]*)(:|\))/.exec(rest);
      if (named) {
        this.at += named[0].length;
      } else if (flags) {
        // Case-insensitivity changes which bytes match; the other flags (s, m, U) do not matter here.
        if (/i/.test(flags[1]!.split('-')[0]!)) throw new GiveUp();
        this.at += flags[0].length;
        if (flags[2] === ')') return { exact: [''] };
      } else {
        throw new GiveUp();
      }
    }
    const inner = this.alternation();
    if (this.peek() !== ')') throw new GiveUp();
    this.at += 1;
    return inner;
  }

  private skipClass(): void {
    this.at += 1;
    if (this.peek() === '^') this.at += 1;
    // A ']' first in the class is a literal.
    if (this.peek() === ']') this.at += 1;
    while (this.at < this.source.length) {
      const char = this.source[this.at]!;
      if (char === ']') {
        this.at += 1;
        return;
      }
      if (char === '\\') this.at += 2;
      else if (this.source.startsWith('[:', this.at)) {
        const end = this.source.indexOf(':]', this.at + 2);
        if (end < 0) throw new GiveUp();
        this.at = end + 2;
      } else this.at += 1;
    }
    throw new GiveUp();
  }

  private escape(): Info {
    const char = this.source[this.at + 1];
    if (char === undefined) throw new GiveUp();
    this.at += 2;
    if (CLASS_ESCAPES.has(char) || ZERO_WIDTH_ESCAPES.has(char)) return {};
    if (char === 'p' || char === 'P') {
      if (this.peek() === '{') {
        const end = this.source.indexOf('}', this.at);
        if (end < 0) throw new GiveUp();
        this.at = end + 1;
      } else this.at += 1;
      return {};
    }
    const control = CONTROL_ESCAPES[char];
    if (control !== undefined) return { exact: [control] };
    // Punctuation stands for itself; any other escape (\x, \Q, \C, octal...) is not analysed.
    if (/^[!-/:-@[-`{-~]$/.test(char)) return { exact: [char] };
    throw new GiveUp();
  }
}

/** What the analysis knows about a whole pattern; undefined when it gave up. */
export interface LiteralAnalysis {
  /** Strings one of which every match contains (any length, any number); undefined if unknown. */
  required: string[] | undefined;
  /** Literal text every match starts with; '' when none. */
  prefix: string;
}

export function analyseLiterals(pattern: string): LiteralAnalysis | undefined {
  const parser = new Parser(pattern);
  try {
    const info = parser.parse();
    return { required: info.required ?? info.exact, prefix: parser.prefix };
  } catch (error) {
    if (error instanceof GiveUp) return undefined;
    throw error;
  }
}

/**
 * Strings at least one of which every match of `pattern` contains (at most MAX_LITERALS, each at
 * least MIN_LITERAL_BYTES long), or undefined when the pattern cannot be pre-filtered that way or
 * RE2 does better on its own (the pattern starts with a literal string).
 */
export function requiredLiterals(pattern: string, caseInsensitive: boolean): string[] | undefined {
  if (caseInsensitive) return undefined;
  const analysis = analyseLiterals(pattern);
  if (analysis === undefined) return undefined;
  // RE2 finds a pattern that starts with a literal by searching for that literal first, faster
  // than Buffer#indexOf: leave such patterns to it.
  if (bytes(analysis.prefix) >= MIN_LITERAL_BYTES) return undefined;
  const set = analysis.required;
  if (!set || set.length === 0 || set.length > MAX_LITERALS || set.some((text) => bytes(text) < MIN_LITERAL_BYTES)) return undefined;
  // A string containing another one of the set adds nothing: the shorter one finds its lines too.
  return set.filter((text) => !set.some((other) => other !== text && text.includes(other)));
}
