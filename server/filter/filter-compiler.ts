import RE2 from 're2';
import { GlobSyntaxError, compileGlob, podLabelsOf, type ErrorCode, type FilterSpec } from '../../protocol/index.js';
import { COSTLY_REPETITION, estimatePatternCost, isTooExpensive, tooExpensiveMessage, type PatternCost } from './pattern-cost.js';
import { requiredLiterals } from './required-literals.js';

/** A filter the hub refuses, with the stable code sent back to the viewer. */
export class FilterError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'FilterError';
  }
}

/** One pattern compiled twice: for the batch-wide candidate search and for per-line verification. */
export interface CompiledPattern {
  source: string;
  /** Case-insensitive (the filter's `caseInsensitive`); a pattern group embeds it as `(?i:...)`. */
  caseInsensitive: boolean;
  /** Flags `gm` (+`i`): run over a whole batch body, `^`/`$` at line boundaries, byte offsets. */
  batch: RE2;
  /** Flags `g` (+`i`): run over one line as a string; yields UTF-16 offsets. Reset lastIndex before use. */
  line: RE2;
  /**
   * False when the pattern can match a line on its own but not inside a batch (`\A`, `\z`, or
   * multi-line mode switched off), so the batch search could miss candidates: such patterns are
   * evaluated line by line instead.
   */
  batchSafe: boolean;
  /**
   * Strings one of which every match contains (see required-literals.ts): when set, candidate lines
   * are found with Buffer#indexOf instead of RE2, and checked one by one.
   */
  literals: Buffer[] | undefined;
  /** Estimated RE2 program size, and the part of it counted repetitions add (pattern-cost.ts). */
  estimate: PatternCost;
  /**
   * `estimate.repeated` over COSTLY_REPETITION: never searched in one program with other patterns,
   * and evaluated line by line (across lines, wide repetitions keep RE2's DFA far busier).
   */
  costly: boolean;
}

export interface CompiledFilter {
  /** Normalized spec as a string: identical filters share one key and are evaluated once. */
  key: string;
  /** The spec as normalized (sorted, deduplicated globs; empty fields removed). */
  spec: FilterSpec;
  include: CompiledPattern | undefined;
  exclude: CompiledPattern | undefined;
  /** True when its include or exclude pattern is costly: such filters are counted against a budget. */
  costly: boolean;
  /**
   * True when the filter selects this host and file (glob lists; absent means all), and the
   * Kubernetes labels the file's path states when it has label globs.
   */
  selects(host: string, file: string): boolean;
}

function normalizeGlobs(globs: readonly string[] | undefined): string[] | undefined {
  if (!globs || globs.length === 0) return undefined;
  return [...new Set(globs)].sort();
}

/** The spec's glob lists, in the order of its key. */
const GLOB_FIELDS = ['hosts', 'files', 'namespaces', 'pods', 'containers'] as const;

/** Removes defaults so that specs meaning the same thing compare equal. */
function normalizeSpec(spec: FilterSpec): FilterSpec {
  const out: FilterSpec = { query: spec.query };
  if (spec.exclude) out.exclude = spec.exclude;
  if (spec.caseInsensitive) out.caseInsensitive = true;
  for (const field of GLOB_FIELDS) {
    const globs = normalizeGlobs(spec[field]);
    if (globs) out[field] = globs;
  }
  return out;
}

/** Stable key of a normalized spec (field order fixed here, not by the caller's object). */
export function filterKey(spec: FilterSpec): string {
  const n = normalizeSpec(spec);
  return JSON.stringify([n.query, n.exclude ?? null, n.caseInsensitive ?? false, ...GLOB_FIELDS.map((field) => n[field] ?? null)]);
}

const LOOKAROUND = /^invalid perl operator: \(\?<?[=!]/;
const BACKREFERENCE = /^invalid escape sequence: \\(?:[1-9]|k)/;
const POSSESSIVE_OR_ATOMIC = /^(?:bad repetition operator: [*+?}]\+|invalid perl operator: \(\?>)/;
const NAMED_BACKREFERENCE = /^invalid perl operator: \(\?P[=>]/;
// node-re2 prepends flag groups such as "(?m)" to the pattern it hands RE2; hide them from users.
const FLAG_PREFIX = /^\(\?[imsU]+\)/;

/** Turns RE2's terse compile error into a message that names the problem in the user's terms. */
function explainPatternError(pattern: string, re2Message: string, what = 'pattern'): string {
  const prefix = `invalid ${what} ${JSON.stringify(pattern)}`;
  if (LOOKAROUND.test(re2Message)) {
    return `${prefix}: lookahead and lookbehind are not supported by RE2 (it guarantees linear time)`;
  }
  if (BACKREFERENCE.test(re2Message) || NAMED_BACKREFERENCE.test(re2Message)) {
    return `${prefix}: backreferences are not supported by RE2`;
  }
  if (POSSESSIVE_OR_ATOMIC.test(re2Message)) {
    return `${prefix}: possessive quantifiers and atomic groups are not supported by RE2 (it never backtracks, so they are not needed)`;
  }
  const colon = re2Message.indexOf(': ');
  if (colon < 0) return `${prefix}: ${re2Message}`;
  const reason = re2Message.slice(0, colon);
  const near = re2Message.slice(colon + 2).replace(FLAG_PREFIX, '');
  return near ? `${prefix}: ${reason} at ${JSON.stringify(near)}` : `${prefix}: ${reason}`;
}

// `\A` and `\z` anchor to the whole text, and `(?-m)` turns line anchors back into text anchors: a
// batch search would see them only at the batch's ends. Over-matching here only costs speed.
const BATCH_UNSAFE = /\\[Az]|\(\?[a-zA-Z]*-[a-zA-Z]*m/;

function compilePattern(pattern: string, caseInsensitive: boolean, what: string): CompiledPattern {
  const i = caseInsensitive ? 'i' : '';
  let batch: RE2;
  let line: RE2;
  try {
    batch = new RE2(pattern, `gm${i}`);
    line = new RE2(pattern, `g${i}`);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new FilterError('SG_ERR_BAD_REGEX', explainPatternError(pattern, message, what), { cause });
  }
  const estimate = estimatePatternCost(pattern, caseInsensitive);
  if (isTooExpensive(estimate)) throw new FilterError('SG_ERR_TOO_EXPENSIVE', tooExpensiveMessage(pattern, estimate, what));
  return {
    source: pattern,
    caseInsensitive,
    batch,
    line,
    batchSafe: !BATCH_UNSAFE.test(pattern),
    literals: requiredLiterals(pattern, caseInsensitive)?.map((literal) => Buffer.from(literal, 'utf8')),
    estimate,
    costly: estimate.repeated > COSTLY_REPETITION,
  };
}

type Matcher = (text: string) => boolean;

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Names remembered per glob list: a source's host and file are tested again after every change of the filter set. */
const MAX_REMEMBERED_NAMES = 4096;

/** With `lastSegment`, a glob without a slash ("*.log") also matches a path's last segment. */
function compileGlobs(globs: readonly string[] | undefined, what: string, lastSegment = true): Matcher | undefined {
  if (!globs) return undefined;
  let matchers: Matcher[];
  try {
    matchers = globs.map((glob): Matcher => {
      const compiled = compileGlob(glob, { dot: true });
      return !lastSegment || glob.includes('/') ? (text) => compiled.test(text) : (text) => compiled.test(text) || compiled.test(basename(text));
    });
  } catch (cause) {
    if (!(cause instanceof GlobSyntaxError)) throw cause;
    throw new FilterError('SG_ERR_BAD_REQUEST', `invalid ${what} glob ${JSON.stringify(cause.glob)}: ${cause.reason}`, { cause });
  }
  const remembered = new Map<string, boolean>();
  return (text) => {
    let selected = remembered.get(text);
    if (selected === undefined) {
      selected = matchers.some((match) => match(text));
      if (remembered.size >= MAX_REMEMBERED_NAMES) remembered.clear();
      remembered.set(text, selected);
    }
    return selected;
  };
}

/** Compiles a filter spec. Throws FilterError (SG_ERR_BAD_REGEX for patterns RE2 refuses). */
export function compileFilter(spec: FilterSpec): CompiledFilter {
  const normalized = normalizeSpec(spec);
  const caseInsensitive = normalized.caseInsensitive ?? false;
  const include = normalized.query === '' ? undefined : compilePattern(normalized.query, caseInsensitive, 'pattern');
  const exclude = normalized.exclude ? compilePattern(normalized.exclude, caseInsensitive, 'exclude pattern') : undefined;
  const hostMatch = compileGlobs(normalized.hosts, 'host');
  const fileMatch = compileGlobs(normalized.files, 'file');
  const labelMatch = compileLabelGlobs(normalized);
  return {
    key: filterKey(normalized),
    spec: normalized,
    include,
    exclude,
    costly: (include?.costly ?? false) || (exclude?.costly ?? false),
    selects: (host, file) => (hostMatch ? hostMatch(host) : true) && (fileMatch ? fileMatch(file) : true) && (labelMatch ? labelMatch(file) : true),
  };
}

/**
 * Matches a file's Kubernetes labels (protocol/shared/pod-labels.ts) against the spec's namespace,
 * pod and container globs; undefined when it has none. A file without labels matches none of them.
 */
function compileLabelGlobs(spec: FilterSpec): Matcher | undefined {
  const namespace = compileGlobs(spec.namespaces, 'namespace', false);
  const pod = compileGlobs(spec.pods, 'pod', false);
  const container = compileGlobs(spec.containers, 'container', false);
  if (!namespace && !pod && !container) return undefined;
  return (file) => {
    const labels = podLabelsOf(file);
    if (!labels) return false;
    return (namespace ? namespace(labels.namespace) : true) && (pod ? pod(labels.pod) : true) && (container ? container(labels.container) : true);
  };
}
