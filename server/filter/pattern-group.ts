import RE2 from 're2';
import { forEachCandidateLine } from '../../lib/candidate-lines.js';
import { matchingPatterns } from '../../lib/set-match.js';
import { forEachLiteralLine } from './batch-lines.js';
import type { CompiledPattern } from './filter-compiler.js';
import { GROUP_REPETITION_BUDGET } from './pattern-cost.js';
import { MAX_LITERALS } from './required-literals.js';

/**
 * Most patterns searched together in one pass. One RE2 program for all of them keeps the search a
 * single DFA pass over the batch, which is what makes 100 filters cost about what 10 do; past some
 * size the DFA's state cache thrashes on complex patterns and splitting pays again.
 */
export const MAX_GROUP_PATTERNS = 128;

/**
 * `\Q` quotes everything up to `\E` (or the pattern's end, which would swallow the patterns after it
 * in an alternation), and a named group could clash with another pattern's: such patterns are never
 * combined with others. Over-matching here only costs speed.
 */
const NOT_COMBINABLE = /\\Q|\(\?P?<[A-Za-z_]/;

/** True when `pattern` may be searched as part of a group (see PatternGroup); never a costly one. */
export function isCombinable(pattern: CompiledPattern): boolean {
  return pattern.batchSafe && !pattern.costly && !NOT_COMBINABLE.test(pattern.source);
}

/** The pattern as a self-contained piece of an alternation, its case-insensitivity inside. */
function wrap(pattern: CompiledPattern): string {
  return `(?${pattern.caseInsensitive ? 'i' : ''}:${pattern.source})`;
}

/**
 * Several batch-safe patterns searched in one pass over a batch body.
 *
 * `scan` is the alternation of every pattern (flags `gm`): its leftmost match from the start of a
 * line starts in that line whenever any pattern matches the line on its own (see batch-matcher's
 * forEachCandidateLine), so one native call finds the next line any pattern may match, and lines
 * no pattern matches cost no JavaScript at all. Each candidate line is then checked on its own by
 * an RE2.Set of the same patterns, one native call that names every pattern matching it; a
 * candidate produced by a match running across a '\n' is thereby dropped.
 */
export class PatternGroup {
  private readonly scan: RE2;
  private readonly set: InstanceType<typeof RE2.Set>;
  /** Each pattern's `line` regex, for matchingPatterns. */
  private readonly singles: RE2[];
  /** Every pattern's required literals, when they all have some and there are few in all. */
  private readonly literals: Buffer[] | undefined;

  /** Throws when RE2 refuses the combined program (too large); the caller splits the group. */
  constructor(readonly patterns: readonly CompiledPattern[]) {
    this.scan = new RE2(patterns.map(wrap).join('|'), 'gm');
    this.set = new RE2.Set(patterns.map(wrap), 'u');
    this.singles = patterns.map((pattern) => pattern.line);
    const literals = patterns.every((pattern) => pattern.literals) ? uniqueBuffers(patterns.flatMap((pattern) => pattern.literals!)) : undefined;
    this.literals = literals && literals.length <= MAX_LITERALS ? literals : undefined;
  }

  /**
   * Calls `visit(start, end, matched)` for every line of `body` that at least one pattern matches
   * on its own, in order; `end` is the index of its '\n' and `matched` lists the indexes (into
   * `patterns`) of the patterns that match it.
   */
  forEachMatchingLine(body: Buffer, visit: (start: number, end: number, matched: readonly number[]) => void): void {
    if (this.literals) {
      forEachLiteralLine(body, this.literals, (start, end) => {
        const matched = this.matchLine(body, start, end);
        if (matched.length > 0) visit(start, end, matched);
      });
      return;
    }
    forEachCandidateLine(this.scan, body, (start, end) => {
      const matched = this.matchLine(body, start, end);
      if (matched.length > 0) visit(start, end, matched);
    });
  }

  /** Indexes of the patterns matching the line body[start, end) on its own. */
  private matchLine(body: Buffer, start: number, end: number): readonly number[] {
    return matchingPatterns(this.set, this.singles, body.subarray(start, end));
  }

}

function uniqueBuffers(buffers: readonly Buffer[]): Buffer[] {
  const seen = new Map<string, Buffer>();
  for (const buffer of buffers) seen.set(buffer.toString('latin1'), buffer);
  return [...seen.values()];
}

/**
 * Groups of at most MAX_GROUP_PATTERNS patterns, in order, whose counted repetitions add at most
 * GROUP_REPETITION_BUDGET in all (many wide repetitions in one program exhaust RE2's DFA as one
 * large one does). A group RE2 refuses to compile (its program is too large) is split in halves
 * until each part compiles; a single pattern always does.
 * Returns the groups with the index of their first pattern in `patterns`.
 */
export function buildGroups(patterns: readonly CompiledPattern[]): Array<{ group: PatternGroup; offset: number }> {
  const groups: Array<{ group: PatternGroup; offset: number }> = [];
  const add = (offset: number, count: number) => {
    try {
      groups.push({ group: new PatternGroup(patterns.slice(offset, offset + count)), offset });
    } catch (error) {
      if (count === 1) throw new Error('compile a single-pattern group', { cause: error });
      const half = Math.ceil(count / 2);
      add(offset, half);
      add(offset + half, count - half);
    }
  };
  let offset = 0;
  let repeated = 0;
  patterns.forEach((pattern, index) => {
    if (index > offset && (index - offset === MAX_GROUP_PATTERNS || repeated + pattern.estimate.repeated > GROUP_REPETITION_BUDGET)) {
      add(offset, index - offset);
      offset = index;
      repeated = 0;
    }
    repeated += pattern.estimate.repeated;
  });
  if (offset < patterns.length) add(offset, patterns.length - offset);
  return groups;
}
