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
  const analysis: LineAnalysis = { spans, visible, level: detectLevel(visible), json: hasTrailingJson(visible) };
  cache.set(owner, analysis);
  return analysis;
}
