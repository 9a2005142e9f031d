import { describe, expect, it } from 'vitest';
import type { LinesHeader } from '../../../../protocol/node.js';
import { batchTime, offsetProblem } from '../../../../server/ingest/frame-checks.js';

const MAX_LINE = 64 * 1024;

function header(fields: Partial<LinesHeader>): LinesHeader {
  return { batch: 1, file: '/a.log', fileId: 'f1', offset: 0, endOffset: 0, lineCount: 1, ts: 0, ...fields };
}

describe('offsetProblem', () => {
  it('accepts a frame whose span is its body', () => {
    expect(offsetProblem(header({ offset: 100, endOffset: 112, lineCount: 2 }), 12, MAX_LINE)).toBeUndefined();
  });

  it('refuses an empty frame that covers bytes, the frame that silenced another host', () => {
    expect(offsetProblem(header({ lineCount: 0, endOffset: 2 ** 53 - 1 }), 0, MAX_LINE)).toMatch(/without lines covers 9007199254740991 bytes/);
    expect(offsetProblem(header({ lineCount: 0, offset: 5, endOffset: 5 }), 0, MAX_LINE)).toBeUndefined();
  });

  it('allows what the agent legitimately leaves out: a \\r per line, and the dropped bytes of cut lines', () => {
    // Two CRLF lines of 3 characters: 10 bytes in the file, 8 in the body.
    expect(offsetProblem(header({ endOffset: 10, lineCount: 2 }), 8, MAX_LINE)).toBeUndefined();
    expect(offsetProblem(header({ endOffset: 11, lineCount: 2 }), 8, MAX_LINE)).toMatch(/do not add up/);
    expect(offsetProblem(header({ endOffset: 1_000_009, lineCount: 1, truncated: [0], droppedBytes: 1_000_000 }), 9, MAX_LINE)).toBeUndefined();
    // Repaired UTF-8 only grows a line: a body longer than its span is fine.
    expect(offsetProblem(header({ endOffset: 2, lineCount: 1 }), 4, MAX_LINE)).toBeUndefined();
    // An event of three '\r\n' lines joined by the agent, counted by its file lines.
    expect(offsetProblem(header({ endOffset: 9, lineCount: 1 }), 6, MAX_LINE)).toMatch(/do not add up/);
    expect(offsetProblem(header({ endOffset: 9, lineCount: 1, rawLines: 3 }), 6, MAX_LINE)).toBeUndefined();
  });

  it('bounds a frame of decoded or joined lines by the file lines it stands for', () => {
    // A CRI line of 80 bytes decoded to 20: the span is far more than the body.
    expect(offsetProblem(header({ endOffset: 80, lineCount: 1, rawLines: 1 }), 20, MAX_LINE)).toBeUndefined();
    expect(offsetProblem(header({ endOffset: MAX_LINE + 2, lineCount: 1, rawLines: 1 }), 20, MAX_LINE)).toBeUndefined();
    expect(offsetProblem(header({ endOffset: MAX_LINE + 3, lineCount: 1, rawLines: 1 }), 20, MAX_LINE)).toMatch(/do not add up/);
    // Each file line is at least its '\n'; and fewer file lines than body lines is no frame.
    expect(offsetProblem(header({ endOffset: 2, lineCount: 1, rawLines: 3 }), 2, MAX_LINE)).toMatch(/do not add up/);
    expect(offsetProblem(header({ endOffset: 9, lineCount: 3, rawLines: 2 }), 9, MAX_LINE)).toMatch(/cannot make/);
  });

  it('bounds a frame the agent redacted by the longest lines it can hold', () => {
    const redacted = { redaction: 'digest', lineCount: 2 };
    // A long secret replaced by a short marker: the body is much shorter than the span.
    expect(offsetProblem(header({ ...redacted, endOffset: 5_000 }), 40, MAX_LINE)).toBeUndefined();
    expect(offsetProblem(header({ ...redacted, endOffset: 2 * (MAX_LINE + 2) }), 40, MAX_LINE)).toBeUndefined();
    expect(offsetProblem(header({ ...redacted, endOffset: 2 * (MAX_LINE + 2) + 1 }), 40, MAX_LINE)).toMatch(/do not add up/);
    // A claimed line count beyond the body's bytes buys no span.
    expect(offsetProblem(header({ ...redacted, lineCount: 1_000_000, endOffset: 3 * (MAX_LINE + 2) }), 2, MAX_LINE)).toMatch(/do not add up/);
  });
});

describe('batchTime', () => {
  const now = 1_765_000_000_000;
  const day = 24 * 60 * 60_000;

  it('keeps a time within the allowed skew of the hub clock', () => {
    expect(batchTime(now - 5_000, now, day)).toEqual({ ts: now - 5_000, replaced: false });
    expect(batchTime(now + day, now, day)).toEqual({ ts: now + day, replaced: false });
  });

  it('replaces what no date holds or what is far off by the hub clock', () => {
    for (const ts of [1e300, -1, 0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 8.64e15 + 1, now + day + 1]) {
      expect(batchTime(ts, now, day)).toEqual({ ts: now, replaced: true });
    }
  });
});
