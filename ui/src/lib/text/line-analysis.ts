import { extraLineCount } from '../../../../protocol/index.js';
import { parseAnsi, type AnsiSpan } from './ansi.js';
import { hasTrailingJson } from './json-line.js';
import { detectLevel, type LogLevel } from './log-level.js';

/** What rendering needs to know about a line beyond its text, worked out once per line. */
export interface LineAnalysis {
  spans: AnsiSpan[];
  /** The text without escape sequences. */
  visible: string;
  level: LogLevel | undefined;
  /** The line ends in JSON that parses (its row offers to pretty-print it). */
  json: boolean;
  /**
   * An event's first line (raw, up to its first '\n'); the whole line when it is a single line.
   * Collapsed rows show this much.
   */
  head: string;
  /** Lines after the head: 0 for a single line, N for an event shown as "+N lines". */
  extraLines: number;
}

/*
 * Rows mount and unmount as the user scrolls, so a per-component useMemo would redo this work on
 * every pass. Keyed weakly by the line string's owner object, the cache dies with the ring entry.
 */
const cache = new WeakMap<object, LineAnalysis>();

export function analyzeLine(owner: object, raw: string): LineAnalysis {
  const cached = cache.get(owner);
  if (cached) return cached;
  const spans = parseAnsi(raw);
  const visible = spans.length === 1 && spans[0]!.start === 0 && spans[0]!.end === raw.length ? raw : spans.map((s) => raw.slice(s.start, s.end)).join('');
  const extraLines = extraLineCount(raw);
  const head = extraLines === 0 ? raw : raw.slice(0, raw.indexOf('\n'));
  // An event's level is its head's: a frame's text ("ERROR" in a method name) must not colour it.
  const level = detectLevel(extraLines === 0 ? visible : visible.slice(0, visible.indexOf('\n')));
  const analysis: LineAnalysis = { spans, visible, level, json: hasTrailingJson(visible), head, extraLines };
  cache.set(owner, analysis);
  return analysis;
}
