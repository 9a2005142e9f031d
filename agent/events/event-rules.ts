import RE2 from 're2';
import { z } from 'zod';
import { parsePathPattern } from '../discovery/path-pattern.js';
import { GlobSyntaxError } from '../../protocol/index.js';

/** What a matcher says about one line: it starts a new event, it continues the current one, or it depends on the line after it. */
export const NO = 0;
export const YES = 1;
export const NEED_NEXT = 2;
export type Verdict = typeof NO | typeof YES | typeof NEED_NEXT;

/**
 * Decides which lines continue an event. Lines are `text[start, end)` (no '\n'). A matcher keeps the
 * state of the event being built, from `begin` on; the joiner makes a new event whenever it says NO.
 */
export interface EventMatcher {
  /** A new event starts with this line. */
  begin(text: Buffer, start: number, end: number): void;
  /**
   * Whether the line continues the event. `nextStart` is -1 when the line after it is not known:
   * then NEED_NEXT asks the joiner to wait for it (or, when no line can follow, to take it as NO).
   */
  continues(text: Buffer, start: number, end: number, nextStart: number, nextEnd: number): Verdict;
  /** The event may still get more lines once the file grows (so it is held back until flushed). */
  mayGrow(): boolean;
  /**
   * Optional: 1 for the first bytes a line needs to continue an event or to change how the lines
   * after it are read (index 0x0a: an empty line). A body where no line has one joins nothing.
   */
  readonly firstBytes?: Uint8Array;
}

/** A rule as it applies to one file. */
export interface EventRule {
  maxLines: number;
  maxBytes: number;
  /** A fresh matcher (they hold state; one per file). */
  matcher(): EventMatcher;
}

const MAX_EVENT_LINES = 100_000;

/** A pattern as written in the config: valid RE2 or refused with RE2's reason. */
const re2Pattern = z
  .string()
  .min(1)
  .max(4096)
  .superRefine((pattern, context) => {
    try {
      new RE2(pattern, 'u');
    } catch (cause) {
      context.addIssue({ code: 'custom', message: `invalid RE2 pattern: ${(cause as Error).message}` });
    }
  });

const globList = z
  .array(z.string().min(1))
  .min(1)
  .superRefine((globs, context) => {
    for (const glob of globs) {
      try {
        parsePathPattern(glob);
      } catch (cause) {
        if (!(cause instanceof GlobSyntaxError)) throw cause;
        context.addIssue({ code: 'custom', message: `${glob}: ${cause.message}` });
      }
    }
  });

/**
 * One configured rule: files whose path matches one of `paths` (globs, as for the agent's paths)
 * join lines by `start` (a line matching it starts an event, any other line continues one) and/or
 * `continuation` (a line matching it continues the event), or by the built-in rules. The first
 * rule whose paths match a file is the one used.
 */
const eventRuleSchema = z
  .strictObject({
    paths: globList,
    start: re2Pattern.optional(),
    continuation: re2Pattern.optional(),
    /** The built-in rules (stack traces of Java, Python, Go, Node.js); default: on unless a pattern is given. false with no pattern: no multi-line events for these files. */
    builtin: z.boolean().optional(),
    maxLines: z.number().int().positive().max(MAX_EVENT_LINES).optional(),
    /** At most maxLineBytes (the hub cuts longer lines). */
    maxBytes: z.number().int().positive().optional(),
  })
  .refine((rule) => !(rule.builtin === true && (rule.start !== undefined || rule.continuation !== undefined)), {
    message: 'builtin: true cannot be combined with start or continuation',
  });

/** `multiline` in the agent config. */
export const multilineConfigSchema = z
  .strictObject({
    /** `--multiline on|off`: join multi-line events at all. */
    enabled: z.boolean().default(true),
    /** `--multiline-flush`: an event at the end of a file is sent once the file has not grown for this long. */
    flushMs: z.number().int().positive().max(60_000).default(500),
    /** Defaults for every rule. */
    maxLines: z.number().int().positive().max(MAX_EVENT_LINES).default(500),
    /** Default: maxLineBytes. */
    maxBytes: z.number().int().positive().optional(),
    rules: z.array(eventRuleSchema).max(256).default([]),
  })
  .default({ enabled: true, flushMs: 500, maxLines: 500, rules: [] });

export type MultilineConfig = z.output<typeof multilineConfigSchema>;

/** The multi-line settings of a running agent: which rule (if any) each file gets. */
export class EventRules {
  private readonly compiled: Array<{ matches: (path: string) => boolean; rule: EventRule | undefined }>;
  private readonly defaultRule: EventRule | undefined;

  constructor(
    readonly config: MultilineConfig,
    maxLineBytes: number,
  ) {
    const limitsOf = (maxLines: number | undefined, maxBytes: number | undefined): { maxLines: number; maxBytes: number } => ({
      maxLines: maxLines ?? config.maxLines,
      maxBytes: Math.min(maxBytes ?? config.maxBytes ?? maxLineBytes, maxLineBytes),
    });
    this.defaultRule = config.enabled ? { ...limitsOf(undefined, undefined), matcher: () => new BuiltinMatcher() } : undefined;
    this.compiled = config.rules.map((rule) => {
      const globs = rule.paths.map((glob) => parsePathPattern(glob));
      const matches = (path: string): boolean => globs.some((glob) => glob.matches(path));
      const limits = limitsOf(rule.maxLines, rule.maxBytes);
      const start = rule.start === undefined ? undefined : new RE2(rule.start, 'u');
      const continuation = rule.continuation === undefined ? undefined : new RE2(rule.continuation, 'u');
      if (!config.enabled) return { matches, rule: undefined };
      if (start !== undefined || continuation !== undefined) return { matches, rule: { ...limits, matcher: () => new PatternMatcher(start, continuation) } };
      if (rule.builtin === false) return { matches, rule: undefined };
      return { matches, rule: { ...limits, matcher: () => new BuiltinMatcher() } };
    });
  }

  /** The rule for a file, undefined when its lines are not joined. */
  forPath(path: string): EventRule | undefined {
    for (const entry of this.compiled) if (entry.matches(path)) return entry.rule;
    return this.defaultRule;
  }
}

/** Configured patterns, tested with RE2 on each line after the first of an event. */
class PatternMatcher implements EventMatcher {
  constructor(
    private readonly start: RE2 | undefined,
    private readonly continuation: RE2 | undefined,
  ) {}

  begin(): void {}

  continues(text: Buffer, start: number, end: number): Verdict {
    const line = text.subarray(start, end);
    if (this.start !== undefined && this.start.test(line)) return NO;
    if (this.continuation !== undefined) return this.continuation.test(line) ? YES : NO;
    return YES;
  }

  /** Any line may be a continuation. */
  mayGrow(): boolean {
    return true;
  }
}

const SPACE = 0x20;
const TAB = 0x09;
const DOT = 0x2e;
const COLON = 0x3a;
const CLOSE_PAREN = 0x29;

/** Continuation lines start with whitespace, `C`, `S` or `.`; traces of their own with `T`, `p`, `f` or `g`; Go and Python read empty lines. */
const BUILTIN_FIRST_BYTES = new Uint8Array(256);
for (const byte of Buffer.from(' \t\nCS.Tpfg')) BUILTIN_FIRST_BYTES[byte] = 1;

const AT = Buffer.from('at ');
const ELLIPSIS = Buffer.from('... ');
const CAUSED_BY = Buffer.from('Caused by:');
const SUPPRESSED = Buffer.from('Suppressed:');
const TRACEBACK = Buffer.from('Traceback (most recent call last):');
const DURING_HANDLING = Buffer.from('During handling of the above exception, another exception occurred:');
const DIRECT_CAUSE = Buffer.from('The above exception was the direct cause of the following exception:');
const PANIC = Buffer.from('panic: ');
const FATAL_ERROR = Buffer.from('fatal error: ');
const GOROUTINE = Buffer.from('goroutine ');
const RUNTIME_STACK = Buffer.from('runtime stack:');
const SIGNAL = Buffer.from('[signal ');
const CREATED_BY = Buffer.from('created by ');
const FRAMES_ELIDED = Buffer.from('...additional frames elided...');

/** Which kind of trace the event being built is. */
const Mode = {
  /** Java, JVM languages, Node.js: continuation lines are recognised by their own first bytes. */
  Frames: 0,
  /** Python, inside a traceback's frames. */
  PyFrames: 1,
  /** Python, after the exception line: a chained traceback may follow. */
  PyAfter: 2,
  /** Python, between chained tracebacks. */
  PyChain: 3,
  /** Go, from `panic:` or `fatal error:` to the first goroutine. */
  GoHead: 4,
  /** Go, in the goroutine dumps. */
  GoStacks: 5,
} as const;
type Mode = (typeof Mode)[keyof typeof Mode];

/**
 * The built-in rules for stack traces:
 * - Java and JVM: `\tat ...`, `... N more` (and `... N common frames omitted`), `Caused by:`,
 *   `Suppressed:`, each with or without leading whitespace, any indented line once a trace has
 *   begun, and an exception line (`java.lang.IllegalStateException: ...`) right before frames, which
 *   joins the line before it (the logger's own line, with the event's time);
 * - Node.js: `    at ...` frames;
 * - Python: from `Traceback (most recent call last):` through the exception line, and chained
 *   tracebacks ("During handling of the above exception...", "The above exception was the direct
 *   cause...") in the same event;
 * - Go: from `panic:`, `fatal error:` or `goroutine N [...]:` through the goroutine dumps.
 * A line that continues nothing is turned down on its first byte or two: no regex runs per line.
 */
export class BuiltinMatcher implements EventMatcher {
  readonly firstBytes = BUILTIN_FIRST_BYTES;
  private mode: Mode = Mode.Frames;
  private lines = 1;
  private headEmpty = false;
  /** The head, for mayGrow (asked right after the lines were looked at, while the text is the same). */
  private head: { text: Buffer; start: number; end: number } = { text: Buffer.alloc(0), start: 0, end: 0 };

  begin(text: Buffer, start: number, end: number): void {
    this.lines = 1;
    this.headEmpty = start === end;
    this.mode = headMode(text, start, end);
    this.head.text = text;
    this.head.start = start;
    this.head.end = end;
  }

  continues(text: Buffer, start: number, end: number, nextStart: number, nextEnd: number): Verdict {
    const verdict = this.verdict(text, start, end, nextStart, nextEnd);
    if (verdict === YES) this.lines += 1;
    return verdict;
  }

  mayGrow(): boolean {
    return this.mode !== Mode.Frames || this.lines > 1 || looksLikeErrorLine(this.head.text, this.head.start, this.head.end);
  }

  private verdict(text: Buffer, start: number, end: number, nextStart: number, nextEnd: number): Verdict {
    switch (this.mode) {
      case Mode.Frames:
        return this.frameVerdict(text, start, end, nextStart, nextEnd);
      case Mode.PyFrames:
        if (start === end) return NO;
        if (text[start] !== SPACE && text[start] !== TAB) this.mode = Mode.PyAfter;
        return YES;
      case Mode.PyAfter:
        if (start !== end) return NO;
        if (nextStart < 0) return NEED_NEXT;
        if (!isChainMessage(text, nextStart, nextEnd)) return NO;
        this.mode = Mode.PyChain;
        return YES;
      case Mode.PyChain:
        if (start === end || isChainMessage(text, start, end)) return YES;
        if (!startsWith(text, start, end, TRACEBACK)) return NO;
        this.mode = Mode.PyFrames;
        return YES;
      case Mode.GoHead:
      case Mode.GoStacks:
        return this.goVerdict(text, start, end, nextStart, nextEnd);
    }
  }

  private frameVerdict(text: Buffer, start: number, end: number, nextStart: number, nextEnd: number): Verdict {
    if (start === end) return NO;
    const first = text[start];
    // Inside a trace any indented line is part of it (a message's second line, `  Detail: ...`).
    if (first === SPACE || first === TAB) return this.lines > 1 || isIndentedFrame(text, start, end) ? YES : NO;
    if (first === 0x43 /* C */) return startsWith(text, start, end, CAUSED_BY) ? YES : NO;
    if (first === 0x53 /* S */ && startsWith(text, start, end, SUPPRESSED)) return YES;
    if (first === DOT) return startsWith(text, start, end, ELLIPSIS) ? YES : NO;
    // An exception line joins the logger's line before it only when frames follow it.
    if (this.lines !== 1 || this.headEmpty) return NO;
    if (nextStart < 0) return isExceptionLine(text, start, end) ? NEED_NEXT : NO;
    const next = text[nextStart];
    if (next !== SPACE && next !== TAB) return NO;
    return isIndentedFrame(text, nextStart, nextEnd) && startsWithAfterIndent(text, nextStart, nextEnd, AT) && isExceptionLine(text, start, end) ? YES : NO;
  }

  private goVerdict(text: Buffer, start: number, end: number, nextStart: number, nextEnd: number): Verdict {
    if (start === end) {
      if (nextStart < 0) return NEED_NEXT;
      return startsWith(text, nextStart, nextEnd, GOROUTINE) || startsWith(text, nextStart, nextEnd, RUNTIME_STACK) ? YES : NO;
    }
    const first = text[start];
    if (first === TAB || first === SPACE || startsWith(text, start, end, SIGNAL)) return YES;
    if (startsWith(text, start, end, GOROUTINE) || startsWith(text, start, end, RUNTIME_STACK)) {
      this.mode = Mode.GoStacks;
      return YES;
    }
    if (this.mode !== Mode.GoStacks) return NO;
    // A function line of a goroutine's stack: `main.main()`, `main.worker(0xc000010000, ...)`.
    if (text[end - 1] === CLOSE_PAREN || startsWith(text, start, end, CREATED_BY) || startsWith(text, start, end, FRAMES_ELIDED)) return YES;
    return NO;
  }
}

function headMode(text: Buffer, start: number, end: number): Mode {
  switch (text[start]) {
    case 0x54 /* T */:
      return startsWith(text, start, end, TRACEBACK) ? Mode.PyFrames : Mode.Frames;
    case 0x70 /* p */:
      return startsWith(text, start, end, PANIC) ? Mode.GoHead : Mode.Frames;
    case 0x66 /* f */:
      return startsWith(text, start, end, FATAL_ERROR) ? Mode.GoHead : Mode.Frames;
    case 0x67 /* g */:
      return startsWith(text, start, end, GOROUTINE) && isGoroutineHeader(text, start, end) ? Mode.GoStacks : Mode.Frames;
    default:
      return Mode.Frames;
  }
}

function startsWith(text: Buffer, start: number, end: number, prefix: Buffer): boolean {
  return end - start >= prefix.length && text.compare(prefix, 0, prefix.length, start, start + prefix.length) === 0;
}

function indentEnd(text: Buffer, start: number, end: number): number {
  let at = start;
  while (at < end && (text[at] === SPACE || text[at] === TAB)) at += 1;
  return at;
}

function startsWithAfterIndent(text: Buffer, start: number, end: number, prefix: Buffer): boolean {
  return startsWith(text, indentEnd(text, start, end), end, prefix);
}

/** `\tat ...`, `    at ...`, `\t... 12 more`, `\tCaused by: ...`, `\tSuppressed: ...`. */
function isIndentedFrame(text: Buffer, start: number, end: number): boolean {
  const at = indentEnd(text, start, end);
  return startsWith(text, at, end, AT) || startsWith(text, at, end, ELLIPSIS) || startsWith(text, at, end, CAUSED_BY) || startsWith(text, at, end, SUPPRESSED);
}

function isChainMessage(text: Buffer, start: number, end: number): boolean {
  return startsWith(text, start, end, DURING_HANDLING) || startsWith(text, start, end, DIRECT_CAUSE);
}

/** `goroutine 18 [chan receive]:` */
function isGoroutineHeader(text: Buffer, start: number, end: number): boolean {
  let at = start + GOROUTINE.length;
  const digits = at;
  while (at < end && (text[at] as number) >= 0x30 && (text[at] as number) <= 0x39) at += 1;
  return at > digits && text[at] === SPACE && text[at + 1] === 0x5b; /* [ */
}

function isIdentifierByte(byte: number | undefined): boolean {
  if (byte === undefined) return false;
  return (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x30 && byte <= 0x39) || byte === 0x5f || byte === 0x24;
}

/** How far a run of identifier bytes and dots goes, and whether it had a dot in it. */
function nameEnd(text: Buffer, start: number, end: number): { at: number; dotted: boolean } {
  let at = start;
  let dotted = false;
  while (at < end && (isIdentifierByte(text[at]) || text[at] === DOT)) {
    if (text[at] === DOT) dotted = true;
    at += 1;
  }
  return { at, dotted };
}

/** A JVM exception line: a qualified class name, alone or followed by `: message` (`java.io.IOException: disk full`). */
function isExceptionLine(text: Buffer, start: number, end: number): boolean {
  if (!isIdentifierByte(text[start])) return false;
  const { at, dotted } = nameEnd(text, start, end);
  return dotted && text[at - 1] !== DOT && (at === end || text[at] === COLON);
}

const ERROR_WORDS = ['Exception', 'Error', 'Throwable'].map((word) => Buffer.from(word));

/**
 * A line that frames may follow in a later write: a JVM exception line, or one with a word ending in
 * Exception, Error or Throwable right before a colon or at its end (`TypeError: x`,
 * `Exception in thread "main" java.lang.NullPointerException: ...`). Only asked of a last event's head.
 */
function looksLikeErrorLine(text: Buffer, start: number, end: number): boolean {
  if (isExceptionLine(text, start, end)) return true;
  for (const word of ERROR_WORDS) {
    for (let at = text.indexOf(word, start); at !== -1 && at + word.length <= end; at = text.indexOf(word, at + 1)) {
      const after = at + word.length;
      if (after === end || text[after] === COLON) return true;
    }
  }
  return false;
}
