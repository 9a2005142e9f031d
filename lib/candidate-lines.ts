import type RE2 from 're2';

const NEWLINE = 0x0a;

/**
 * Calls `visit(start, end)` for every line in which `re` (flags `gm`) finds a match that starts in
 * that line, `end` being the index of its '\n' (or the body's length). One native call finds the
 * next candidate, so lines without a match cost nothing in JavaScript. A match may run across '\n'
 * in the body (`\s`, `[^x]`), so a candidate is only a candidate: the caller verifies the line on
 * its own. Used by the filter engine and by redaction (hub and agent).
 */
export function forEachCandidateLine(re: RE2, body: Buffer, visit: (start: number, end: number) => void): void {
  let from = 0;
  while (from < body.length) {
    re.lastIndex = from;
    const found = re.exec(body);
    if (found === null) return;
    const at = found.index;
    // `^$` can match just after the last '\n', which is not a line.
    if (at >= body.length) return;
    // lastIndexOf with a negative offset would count from the end, hence the explicit 0.
    const start = at === 0 ? 0 : body.lastIndexOf(NEWLINE, at - 1) + 1;
    const newline = body.indexOf(NEWLINE, at);
    // Batch bodies end with '\n'; a last line without one still counts (a secret in it too).
    const end = newline < 0 ? body.length : newline;
    visit(start, end);
    from = end + 1;
  }
}
