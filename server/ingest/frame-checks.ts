import type { LinesHeader } from '../../protocol/node.js';

/**
 * Why a lines frame's offsets cannot describe its body, or undefined when they can. The file bytes a
 * frame covers (`endOffset - offset`) are not always its body's length: the agent strips a '\r'
 * before each '\n', cuts over-long lines (the rest is `droppedBytes`), repairs invalid UTF-8 (which
 * only grows a line) and may apply the hub's redaction rules (which can shrink one). So the span is
 * bounded from above by what the body can stand for:
 *  - no lines: no bytes (an empty frame cannot move a resume point);
 *  - not redacted by the agent: at most the body, the dropped bytes and one '\r' per line;
 *  - redacted: at most `maxLineBytes` plus '\r\n' per line (a line is at least its '\n' in the body),
 *    and the dropped bytes;
 *  - `rawLines` given (events joined, container lines decoded): at least one byte and at most
 *    `maxLineBytes` plus '\r\n' per line of the file, and the dropped bytes.
 */
export function offsetProblem(header: LinesHeader, bodyBytes: number, maxLineBytes: number): string | undefined {
  const span = header.endOffset - header.offset;
  const dropped = header.droppedBytes ?? 0;
  if (header.lineCount === 0) {
    return span === 0 ? undefined : `a frame without lines covers ${span} bytes of ${header.fileId} (offset ${header.offset}, endOffset ${header.endOffset})`;
  }
  if (header.rawLines !== undefined) {
    // Decoded or joined lines: each of the file's lines the body stands for is at most maxLineBytes
    // and its '\r\n' (the agent cuts longer ones before decoding), and at least its '\n'.
    if (header.rawLines < header.lineCount) return `${header.rawLines} file lines cannot make ${header.lineCount} lines of ${header.fileId}`;
    if (span >= header.rawLines && span <= header.rawLines * (maxLineBytes + 2) + dropped) return undefined;
    return `offsets do not add up: ${header.rawLines} file lines cannot cover ${span} bytes of ${header.fileId} (offset ${header.offset}, endOffset ${header.endOffset})`;
  }
  const limit =
    header.redaction === undefined
      ? bodyBytes + dropped + header.lineCount
      : Math.min(header.lineCount, bodyBytes) * (maxLineBytes + 2) + dropped;
  if (span <= limit) return undefined;
  return `offsets do not add up: ${header.lineCount} lines in ${bodyBytes} bytes cannot cover ${span} bytes of ${header.fileId} (offset ${header.offset}, endOffset ${header.endOffset})`;
}

/**
 * The reading time to keep for a batch: the agent's `ts` when it is a finite time within `maxSkewMs`
 * of the hub's clock, else the hub's clock (`replaced`), so no viewer is handed a time no date can hold.
 */
export function batchTime(ts: number, nowMs: number, maxSkewMs: number): { ts: number; replaced: boolean } {
  if (Number.isFinite(ts) && Math.abs(ts - nowMs) <= maxSkewMs) return { ts, replaced: false };
  return { ts: nowMs, replaced: true };
}
