/**
 * Host and file globs, matched in time linear in the text: a glob is compiled once into a small
 * program (a Thompson NFA) whose set of live states is advanced one character at a time, so a match
 * costs at most (program size) × (text length) steps, whatever the glob. No backtracking, no RegExp.
 *
 * Syntax: `*` any characters but `/`; `**` as a whole path segment, any number of segments; `?` one
 * character but `/`; `[abc]`, `[a-z]`, `[!x]` or `[^x]` one character of (or not of) a set, never
 * `/`; `{a,b}` either alternative (nested allowed); `\x` the character x. Everything else matches
 * itself. An unclosed `[` or `{` is a GlobSyntaxError.
 */

/** A glob the parser refuses (unclosed `[` or `{`, a reversed range). */
export class GlobSyntaxError extends Error {
  constructor(
    readonly glob: string,
    readonly reason: string,
  ) {
    super(`invalid glob ${JSON.stringify(glob)}: ${reason}`);
    this.name = 'GlobSyntaxError';
  }
}

export interface GlobOptions {
  /** Whether wildcards match a name starting with `.` (default true; the agent's path patterns use false). */
  dot?: boolean;
}

type Node =
  | { kind: 'char'; cp: number }
  | { kind: 'any' }
  | { kind: 'class'; ranges: number[]; negated: boolean }
  | { kind: 'star' }
  // `lead`: `**/` at the start, zero or more `segment/`; `slash`: `/**`, zero or more `/segment`;
  // `all`: anything.
  | { kind: 'globstar'; form: 'lead' | 'slash' | 'all' }
  | { kind: 'alt'; branches: Node[][] }
  /** Passes unless the next character is `.` (a wildcard at a segment's start, when `dot` is false). */
  | { kind: 'nodot' };

const SLASH = 0x2f;
const DOT = 0x2e;

/** Parses one glob into nodes; `dot` false inserts `nodot` checks before wildcards that start a segment. */
class Parser {
  private pos = 0;
  private readonly chars: string[];

  constructor(
    private readonly glob: string,
    private readonly dot: boolean,
  ) {
    this.chars = Array.from(glob);
  }

  parse(): Node[] {
    // At the top level `,` and `}` are plain characters, so this reads the whole glob.
    return this.sequence(0, true);
  }

  /** Nodes up to the end, or (inside braces) up to the `,` or `}` that ends the alternative. */
  private sequence(braceDepth: number, segmentStart: boolean): Node[] {
    const out: Node[] = [];
    const { chars } = this;
    let atSegmentStart = segmentStart;
    while (this.pos < chars.length) {
      const char = chars[this.pos]!;
      if (braceDepth > 0 && (char === ',' || char === '}')) break;
      const wildcard = this.wildcard(braceDepth);
      if (wildcard === 'globstar') {
        atSegmentStart = this.pushGlobstar(out);
        continue;
      }
      if (wildcard) {
        // A class names its characters, so it may match a leading dot, as `.` itself does.
        if (atSegmentStart && !this.dot && wildcard.kind !== 'class') out.push({ kind: 'nodot' });
        out.push(wildcard);
        atSegmentStart = false;
        continue;
      }
      if (char === '{') {
        const brace = this.brace(braceDepth, atSegmentStart);
        out.push(...brace);
        atSegmentStart = false;
        continue;
      }
      this.pos += 1;
      let literal = char;
      if (char === '\\' && this.pos < chars.length) {
        literal = chars[this.pos]!;
        this.pos += 1;
      }
      const cp = literal.codePointAt(0)!;
      out.push({ kind: 'char', cp });
      atSegmentStart = cp === SLASH;
    }
    return out;
  }

  /**
   * The wildcard at the cursor (`*`, `?`, a class), consumed; undefined if there is none. A `**` that
   * is a whole path segment (outside braces) is reported as 'globstar', for pushGlobstar to place.
   */
  private wildcard(braceDepth: number): Node | 'globstar' | undefined {
    const { chars } = this;
    const char = chars[this.pos];
    if (char === '?') {
      this.pos += 1;
      return { kind: 'any' };
    }
    if (char === '[') return this.charClass();
    if (char !== '*') return undefined;
    const start = this.pos;
    while (chars[this.pos] === '*') this.pos += 1;
    const before = chars[start - 1];
    const after = chars[this.pos];
    const wholeSegment = this.pos - start === 2 && braceDepth === 0 && (start === 0 || before === '/') && (after === undefined || after === '/');
    return wholeSegment ? 'globstar' : { kind: 'star' };
  }

  // Places the globstar just consumed: first in the glob, `**/` (its slash taken along) or `**`
  // (anything); after a `/`, that slash becomes part of it (`/**`: zero or more `/segment`), so
  // `a/**/b` matches `a/b`. A globstar right after another is folded into it. Returns whether the
  // cursor is now at a segment's start.
  private pushGlobstar(out: Node[]): boolean {
    const atEnd = this.pos >= this.chars.length;
    const previous = out.at(-1);
    if (previous === undefined) {
      if (atEnd) out.push({ kind: 'globstar', form: 'all' });
      else {
        this.pos += 1;
        out.push({ kind: 'globstar', form: 'lead' });
      }
      return !atEnd;
    }
    if (previous.kind === 'globstar' && previous.form === 'lead') {
      // `**/**`: the leading one already covers the rest, unless this ends the glob.
      if (atEnd) previous.form = 'all';
      else this.pos += 1;
      return !atEnd;
    }
    // The `/` just before (a whole segment follows one); `/**/**` keeps the first globstar only.
    out.pop();
    if (out.at(-1)?.kind !== 'globstar') out.push({ kind: 'globstar', form: 'slash' });
    return false;
  }

  private charClass(): Node {
    const { chars, glob } = this;
    const open = this.pos;
    this.pos += 1;
    let negated = false;
    if (chars[this.pos] === '!' || chars[this.pos] === '^') {
      negated = true;
      this.pos += 1;
    }
    const ranges: number[] = [];
    let first = true;
    for (;;) {
      if (this.pos >= chars.length) throw new GlobSyntaxError(glob, `[ at character ${open + 1} is not closed (write \\[ for the character itself)`);
      let char = chars[this.pos]!;
      if (char === ']' && !first) {
        this.pos += 1;
        break;
      }
      first = false;
      this.pos += 1;
      if (char === '\\' && this.pos < chars.length) char = chars[this.pos++]!;
      const lo = char.codePointAt(0)!;
      let hi = lo;
      if (chars[this.pos] === '-' && this.pos + 1 < chars.length && chars[this.pos + 1] !== ']') {
        this.pos += 1;
        let end = chars[this.pos++]!;
        if (end === '\\' && this.pos < chars.length) end = chars[this.pos++]!;
        hi = end.codePointAt(0)!;
        if (hi < lo) throw new GlobSyntaxError(glob, `the range ${char}-${end} is reversed`);
      }
      ranges.push(lo, hi);
    }
    return { kind: 'class', ranges, negated };
  }

  /** `{a,b}`: alternatives; `{a}` without a comma is the literal text with its braces. */
  private brace(braceDepth: number, segmentStart: boolean): Node[] {
    const open = this.pos;
    this.pos += 1;
    const branches: Node[][] = [];
    for (;;) {
      branches.push(this.sequence(braceDepth + 1, segmentStart));
      const char = this.chars[this.pos];
      if (char === undefined) throw new GlobSyntaxError(this.glob, `{ at character ${open + 1} is not closed (write \\{ for the character itself)`);
      this.pos += 1;
      if (char === '}') break;
    }
    if (branches.length > 1) return [{ kind: 'alt', branches }];
    return [{ kind: 'char', cp: 0x7b }, ...branches[0]!, { kind: 'char', cp: 0x7d }];
  }
}

// Program instructions. SPLIT continues at both `next` and `alt`; NODOT is an epsilon that looks at
// the next character; the consuming ones (CHAR, NOTSLASH, CLASS) move to `next` on a match.
const MATCH = 0;
const CHAR = 1;
const NOTSLASH = 2;
const CLASS = 3;
const SPLIT = 4;
const NODOT = 5;
const JUMP = 6;

/** A compiled glob. */
export interface Glob {
  readonly source: string;
  test(text: string): boolean;
  /** Work done by the last `test`: states visited plus class ranges compared (for tests of the bound). */
  readonly steps: number;
}

class ProgramBuilder {
  op: number[] = [];
  arg: number[] = [];
  next: number[] = [];
  alt: number[] = [];
  ranges: number[][] = [];

  constructor(private readonly dot: boolean) {}

  emit(op: number, arg = 0): number {
    this.op.push(op);
    this.arg.push(arg);
    this.next.push(-1);
    this.alt.push(-1);
    return this.op.length - 1;
  }

  /** Compiles `nodes` so that they continue at `exit`; returns the entry state. Built back to front. */
  sequence(nodes: readonly Node[], exit: number): number {
    let next = exit;
    for (let i = nodes.length - 1; i >= 0; i--) next = this.node(nodes[i]!, next);
    return next;
  }

  private link(op: number, next: number, arg = 0, alt = -1): number {
    const state = this.emit(op, arg);
    this.next[state] = next;
    this.alt[state] = alt;
    return state;
  }

  /** `(body)*` continuing at `exit`, where `body(loop)` builds a piece that returns to `loop`. */
  private loop(exit: number, body: (loop: number) => number): number {
    const split = this.link(SPLIT, exit);
    this.alt[split] = body(split);
    return split;
  }

  private segment(exit: number): number {
    // Any run of characters but `/`, not starting with `.` unless `dot`.
    const run = this.loop(exit, (loop) => this.link(NOTSLASH, loop));
    return this.dot ? run : this.link(NODOT, run);
  }

  private node(node: Node, exit: number): number {
    switch (node.kind) {
      case 'char':
        return this.link(CHAR, exit, node.cp);
      case 'any':
        return this.link(NOTSLASH, exit);
      case 'class': {
        this.ranges.push(node.ranges);
        return this.link(CLASS, exit, (this.ranges.length - 1) * 2 + (node.negated ? 1 : 0));
      }
      case 'star':
        return this.loop(exit, (loop) => this.link(NOTSLASH, loop));
      case 'nodot':
        return this.link(NODOT, exit);
      case 'globstar':
        if (node.form === 'lead') return this.loop(exit, (loop) => this.segment(this.link(CHAR, loop, SLASH)));
        if (node.form === 'slash') return this.loop(exit, (loop) => this.link(CHAR, this.segment(loop), SLASH));
        // segment (/ segment)*
        return this.segment(this.loop(exit, (loop) => this.link(CHAR, this.segment(loop), SLASH)));
      case 'alt': {
        const join = this.link(JUMP, exit);
        let entry = -1;
        for (let i = node.branches.length - 1; i >= 0; i--) {
          const branch = this.sequence(node.branches[i]!, join);
          entry = entry < 0 ? branch : this.link(SPLIT, branch, 0, entry);
        }
        return entry;
      }
    }
  }
}

class NfaGlob implements Glob {
  steps = 0;
  private readonly op: Int32Array;
  private readonly arg: Int32Array;
  private readonly next: Int32Array;
  private readonly alt: Int32Array;
  private readonly ranges: Uint32Array[];
  private readonly start: number;
  private readonly seen: Int32Array;
  private current: Int32Array;
  private following: Int32Array;
  private generation = 0;
  private stack: Int32Array;

  constructor(
    readonly source: string,
    nodes: Node[],
    dot: boolean,
  ) {
    const builder = new ProgramBuilder(dot);
    const match = builder.emit(MATCH);
    this.start = builder.sequence(nodes, match);
    this.op = Int32Array.from(builder.op);
    this.arg = Int32Array.from(builder.arg);
    this.next = Int32Array.from(builder.next);
    this.alt = Int32Array.from(builder.alt);
    this.ranges = builder.ranges.map((ranges) => Uint32Array.from(ranges));
    const size = this.op.length;
    this.seen = new Int32Array(size);
    this.current = new Int32Array(size + 1);
    this.following = new Int32Array(size + 1);
    this.stack = new Int32Array(size * 2 + 2);
  }

  test(text: string): boolean {
    this.steps = 0;
    this.generation = 0;
    this.seen.fill(0);
    let count = this.close(this.start, text.codePointAt(0), this.current, 0);
    for (let i = 0; i < text.length && count > 0; ) {
      const cp = text.codePointAt(i)!;
      i += cp > 0xffff ? 2 : 1;
      const lookahead = i < text.length ? text.codePointAt(i) : undefined;
      this.generation += 1;
      let nextCount = 0;
      for (let k = 0; k < count; k++) {
        const state = this.current[k]!;
        this.steps += 1;
        if (this.consumes(state, cp)) nextCount = this.close(this.next[state]!, lookahead, this.following, nextCount);
      }
      [this.current, this.following] = [this.following, this.current];
      count = nextCount;
    }
    for (let k = 0; k < count; k++) if (this.op[this.current[k]!] === MATCH) return true;
    return false;
  }

  private consumes(state: number, cp: number): boolean {
    switch (this.op[state]) {
      case CHAR:
        return this.arg[state] === cp;
      case NOTSLASH:
        return cp !== SLASH;
      case CLASS: {
        if (cp === SLASH) return false;
        const arg = this.arg[state]!;
        const ranges = this.ranges[arg >> 1]!;
        let inside = false;
        for (let r = 0; r < ranges.length && !inside; r += 2) {
          this.steps += 1;
          inside = cp >= ranges[r]! && cp <= ranges[r + 1]!;
        }
        return inside !== ((arg & 1) === 1);
      }
      default:
        return false;
    }
  }

  /** Adds `state` and every state reachable from it without consuming to `list`; returns the new count. */
  private close(state: number, lookahead: number | undefined, list: Int32Array, count: number): number {
    const generation = this.generation + 1;
    const { stack, seen } = this;
    let top = 0;
    stack[top++] = state;
    while (top > 0) {
      const s = stack[--top]!;
      if (seen[s] === generation) continue;
      seen[s] = generation;
      this.steps += 1;
      switch (this.op[s]) {
        case SPLIT:
          stack[top++] = this.alt[s]!;
          stack[top++] = this.next[s]!;
          break;
        case JUMP:
          stack[top++] = this.next[s]!;
          break;
        case NODOT:
          if (lookahead !== DOT) stack[top++] = this.next[s]!;
          break;
        default:
          list[count++] = s;
      }
    }
    return count;
  }
}

/** A glob without wildcards: compared as a string. */
class LiteralGlob implements Glob {
  readonly steps = 0;
  constructor(
    readonly source: string,
    private readonly literal: string,
  ) {}

  test(text: string): boolean {
    return text === this.literal;
  }
}

/** Compiles `glob` (see the syntax above). Throws GlobSyntaxError. */
export function compileGlob(glob: string, options: GlobOptions = {}): Glob {
  const dot = options.dot ?? true;
  const nodes = new Parser(glob, dot).parse();
  const literal = literalOf(nodes);
  return literal === undefined ? new NfaGlob(glob, nodes, dot) : new LiteralGlob(glob, literal);
}

function literalOf(nodes: readonly Node[]): string | undefined {
  let literal = '';
  for (const node of nodes) {
    if (node.kind !== 'char') return undefined;
    literal += String.fromCodePoint(node.cp);
  }
  return literal;
}

/** The text a glob stands for if it has no wildcards (only literal or escaped characters), else undefined. */
export function globLiteral(glob: string): string | undefined {
  try {
    return literalOf(new Parser(glob, true).parse());
  } catch {
    return undefined;
  }
}

const SPECIAL = /[\\*?[\]{},]/g;

/** A glob that matches exactly `literal` (its special characters escaped). */
export function escapeGlob(literal: string): string {
  return literal.replace(SPECIAL, (char) => `\\${char}`);
}

// Splits a path pattern into the directory before its first wildcard (unescaped) and the rest, or
// returns undefined for a plain path: `/srv/*/logs/*.log` gives base `/srv`, rest `*/logs/*.log`.
export function splitGlobBase(pattern: string): { base: string; rest: string } | undefined {
  let firstWildcard = -1;
  for (let i = 0; i < pattern.length && firstWildcard < 0; i++) {
    const char = pattern[i];
    if (char === '\\') i += 1;
    else if (char === '*' || char === '?' || char === '[' || char === '{') firstWildcard = i;
  }
  if (firstWildcard < 0) return undefined;
  const slash = pattern.lastIndexOf('/', firstWildcard);
  const rawBase = slash < 0 ? '' : pattern.slice(0, slash);
  const base = globLiteral(rawBase) ?? rawBase;
  return { base: slash === 0 ? '/' : base, rest: pattern.slice(slash + 1) };
}
