import RE2 from 're2';
import { forEachCandidateLine } from '../candidate-lines.js';
import { matchingPatterns } from '../set-match.js';
import { cutTailStart } from './cut-tail.js';
import { DEFAULT_REPLACEMENT, REFINERS, type RedactionRule } from './redaction-rules.js';

/**
 * Names what the redactor hides at the end of a line cut short (see cutTailStart) in counts and
 * metrics, like a rule's name; no rule may take it.
 */
export const CUT_TAIL_NAME = 'cut-line-tail';

interface CompiledRule {
  rule: RedactionRule;
  /** Flags `gd`: over one line as a string, with group indices (UTF-16). */
  line: RE2;
  /** Names of the pattern's secret groups (`secret`, `secret2`...): only these are replaced. */
  secretGroups: string[];
}

/** A secret found in a line: [start, end) in UTF-16 units, and the rule that found it. */
interface Span {
  start: number;
  end: number;
  rule: number;
}

/** A batch body after redaction; `truncated` moved along with the lines that changed length. */
export interface RedactedBody {
  body: Buffer;
  truncated: ReadonlySet<number> | undefined;
}

/** A secret group's opening: `(?P<secret>`, or `(?P<secret2>`... for alternatives that each have one. */
const SECRET_GROUP = /\(\?P?<(secret\d*)>/g;
/** A named group's opening, `(?P<name>` or `(?<name>`, not preceded by an escaping backslash. */
const NAMED_GROUP = /(^|[^\\](?:\\\\)*)\(\?P?<[A-Za-z_][A-Za-z0-9_]*>/g;

/** Compiles a rule; throws RE2's error (the config reports it with the rule's name). */
function compileRule(rule: RedactionRule): CompiledRule {
  const secretGroups = [...rule.pattern.matchAll(SECRET_GROUP)].map((found) => found[1]!);
  return { rule, line: new RE2(rule.pattern, 'gd'), secretGroups };
}

/**
 * All rules as one alternation (flags `gm`), to find the lines of a batch that any rule may match in
 * a single pass. Named groups become plain ones: two rules may both name a group `secret`.
 */
function compileScan(rules: readonly RedactionRule[]): RE2 {
  const alternatives = rules.map((rule) => `(?:${rule.pattern.replace(NAMED_GROUP, '$1(?:')})`);
  return new RE2(alternatives.join('|'), 'gm');
}

/**
 * Replaces secrets in log lines before they leave the hub (or, with the rules the hub offers, before
 * they leave an agent's host). Every rule is an RE2 pattern, so a line costs time linear in its
 * length whatever the rules.
 *
 * A line is first tested against all rules at once (one RE2.Set call); only the rules that match run
 * on their own to find where. A pattern may have several secret groups (`secret`, `secret2`...),
 * one per alternative: the one that took part in a match is replaced. What every matching rule
 * marks as secret is replaced: overlapping findings are merged, so one rule cannot leave part of
 * what another hides ("token: Bearer abc..." loses both the value and the bearer token). Text that already reads as the replacement is left
 * alone, so redacting twice changes nothing and counts nothing.
 */
export class Redactor {
  private readonly rules: CompiledRule[];
  private readonly set: InstanceType<typeof RE2.Set>;
  /** Each rule's `line` regex, in rule order, for matchingPatterns. */
  private readonly singles: RE2[];
  private readonly scan: RE2;

  constructor(
    rules: readonly RedactionRule[],
    /** Called once per rule and line with how many secrets the rule replaced in it. */
    private readonly onRedacted: (rule: string, count: number) => void = () => {},
  ) {
    if (rules.length === 0) throw new Error('a redactor needs at least one rule');
    this.rules = rules.map(compileRule);
    this.singles = this.rules.map((compiled) => compiled.line);
    this.set = new RE2.Set(
      rules.map((rule) => rule.pattern),
      'm',
    );
    this.scan = compileScan(rules);
  }

  /** The rules' names, and CUT_TAIL_NAME: every name counts may be reported under. */
  get ruleNames(): string[] {
    return [...this.rules.map((compiled) => compiled.rule.name), CUT_TAIL_NAME];
  }

  /** The line with its secrets replaced; the very same string when it has none. */
  redactLine(text: string): string {
    const hits = matchingPatterns(this.set, this.singles, text);
    if (hits.length === 0) return text;
    const spans: Span[] = [];
    for (const index of hits) this.collectSpans(index, text, spans);
    if (spans.length === 0) return text;
    return this.replace(text, spans);
  }

  /**
   * A batch body (`\n`-ended lines) with the secrets of every line replaced, or undefined when it
   * has none. The alternation of all rules runs once over the whole body (one native call when no
   * line has a secret, which is the usual case and the whole cost), one more per candidate line;
   * only candidate lines are decoded and redacted.
   *
   * Lines in `truncated` (body offsets of lines cut at a length limit) also lose their last token:
   * a secret the cut went through is too short for its rule to recognize, and what is left of it
   * must not be shown (see cutTailStart).
   */
  redactBody(body: Buffer, truncated: ReadonlySet<number> | undefined): RedactedBody | undefined {
    const changed: Array<{ start: number; end: number; text: Buffer }> = [];
    const cut = truncated && truncated.size > 0 ? [...truncated].filter((offset) => offset < body.length).sort((a, b) => a - b) : [];
    let nextCut = 0;
    const redact = (start: number, end: number, candidate: boolean, wasCut: boolean) => {
      const line = body.toString('utf8', start, end);
      let redacted = candidate ? this.redactLine(line) : line;
      if (wasCut) redacted = this.redactCutTail(redacted);
      if (redacted !== line) changed.push({ start, end, text: Buffer.from(redacted, 'utf8') });
    };
    /** Cut lines that start before `before` and are no candidates: only their tail is looked at. */
    const cutLinesBefore = (before: number) => {
      while (nextCut < cut.length && cut[nextCut]! < before) {
        const start = cut[nextCut]!;
        const newline = body.indexOf(0x0a, start);
        redact(start, newline < 0 ? body.length : newline, false, true);
        nextCut += 1;
      }
    };
    forEachCandidateLine(this.scan, body, (start, end) => {
      cutLinesBefore(start);
      const wasCut = nextCut < cut.length && cut[nextCut] === start;
      if (wasCut) nextCut += 1;
      redact(start, end, true, wasCut);
    });
    cutLinesBefore(body.length);
    if (changed.length === 0) return undefined;
    return rebuild(body, truncated, changed);
  }

  /** A cut line (already redacted) with its last token replaced, counted under CUT_TAIL_NAME. */
  private redactCutTail(text: string): string {
    const start = cutTailStart(text, DEFAULT_REPLACEMENT);
    if (start === undefined) return text;
    this.onRedacted(CUT_TAIL_NAME, 1);
    return text.slice(0, start) + DEFAULT_REPLACEMENT;
  }

  private collectSpans(index: number, text: string, spans: Span[]): void {
    const { line: re, secretGroups, rule } = this.rules[index]!;
    re.lastIndex = 0;
    for (let found = re.exec(text); found !== null; found = re.exec(text)) {
      const whole = found.indices![0]!;
      if (whole[1] === whole[0]) {
        // An empty match hides nothing; step over it so the search moves on.
        re.lastIndex = whole[1] + 1;
        if (re.lastIndex > text.length) break;
        continue;
      }
      const secret = secretGroups.length > 0 ? firstGroup(found.indices!.groups, secretGroups) : whole;
      if (secret === undefined || secret[1] === secret[0]) continue;
      let [start, end] = secret;
      if (rule.refine) {
        const refined = REFINERS[rule.refine](text.slice(start, end));
        if (refined === undefined) continue;
        [start, end] = [start + refined[0], start + refined[1]];
        // What follows the part kept may hold another secret (two cards in one run of digit groups).
        re.lastIndex = end;
      }
      if (text.slice(start, end) !== rule.replacement) spans.push({ start, end, rule: index });
    }
  }

  /** Replaces the union of `spans`; a merged span takes the replacement of the rule that starts it. */
  private replace(text: string, spans: Span[]): string {
    spans.sort((a, b) => a.start - b.start || b.end - a.end);
    const counts = new Map<number, number>();
    let out = '';
    let cursor = 0;
    let i = 0;
    while (i < spans.length) {
      const first = spans[i]!;
      let end = first.end;
      const rules = new Set<number>([first.rule]);
      i += 1;
      while (i < spans.length && spans[i]!.start < end) {
        end = Math.max(end, spans[i]!.end);
        rules.add(spans[i]!.rule);
        i += 1;
      }
      out += text.slice(cursor, first.start) + this.rules[first.rule]!.rule.replacement;
      cursor = end;
      for (const rule of rules) counts.set(rule, (counts.get(rule) ?? 0) + 1);
    }
    for (const [rule, count] of counts) this.onRedacted(this.rules[rule]!.rule.name, count);
    return out + text.slice(cursor);
  }
}

/** The range of the first of `names` that took part in a match. */
function firstGroup(groups: Record<string, [number, number] | undefined> | undefined, names: readonly string[]): [number, number] | undefined {
  for (const name of names) {
    const range = groups?.[name];
    if (range !== undefined) return range;
  }
  return undefined;
}

/** `body` with the lines in `changed` (sorted, non-overlapping) replaced; truncated offsets follow. */
function rebuild(
  body: Buffer,
  truncated: ReadonlySet<number> | undefined,
  changed: ReadonlyArray<{ start: number; end: number; text: Buffer }>,
): RedactedBody {
  const parts: Buffer[] = [];
  let cursor = 0;
  /** Line starts at or after changed[k].end shift by shifts[k]. */
  const shifts: number[] = [];
  let shift = 0;
  for (const line of changed) {
    parts.push(body.subarray(cursor, line.start), line.text);
    cursor = line.end;
    shift += line.text.length - (line.end - line.start);
    shifts.push(shift);
  }
  parts.push(body.subarray(cursor));
  let moved: Set<number> | undefined;
  if (truncated !== undefined) {
    moved = new Set();
    for (const offset of truncated) {
      let k = -1;
      while (k + 1 < changed.length && changed[k + 1]!.end <= offset) k += 1;
      moved.add(k < 0 ? offset : offset + shifts[k]!);
    }
  }
  return { body: Buffer.concat(parts), truncated: moved };
}
