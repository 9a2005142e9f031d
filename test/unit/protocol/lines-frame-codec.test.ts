import { describe, expect, it } from 'vitest';
import { decodeLinesFrame, encodeLinesFrame, FrameError, LINES_FRAME_KIND, type LinesHeader } from '../../../protocol/node.js';

const header: LinesHeader = { batch: 1, file: '/var/log/app.log', fileId: '1a2b.ff', offset: 10, endOffset: 24, lineCount: 2, ts: 1_700_000_000_000 };

describe('lines frame codec', () => {
  it('round-trips header and body', () => {
    const body = Buffer.from('first\nsecond\n');
    const decoded = decodeLinesFrame(encodeLinesFrame(header, body));
    expect(decoded.header).toEqual(header);
    expect(decoded.body.toString()).toBe('first\nsecond\n');
  });

  it('accepts brackets and escaped quotes inside strings, and the list of cut lines', () => {
    const tricky = { ...header, file: '/var/log/[[[[[["\\"]]]]]]{{{{.log', truncated: [0, 6] };
    const decoded = decodeLinesFrame(encodeLinesFrame(tricky, Buffer.from('first\nsecond\n')));
    expect(decoded.header.file).toBe(tricky.file);
    expect(decoded.header.truncated).toEqual([0, 6]);
  });

  it('accepts an empty batch with no lines', () => {
    const decoded = decodeLinesFrame(encodeLinesFrame({ ...header, lineCount: 0, endOffset: 10 }, Buffer.alloc(0)));
    expect(decoded.body.length).toBe(0);
  });

  const valid = encodeLinesFrame(header, Buffer.from('first\nsecond\n'));
  const withHeader = (text: string, body = 'x\n') => {
    const json = Buffer.from(text);
    const frame = Buffer.alloc(5 + json.length);
    frame[0] = LINES_FRAME_KIND;
    frame.writeUInt32BE(json.length, 1);
    json.copy(frame, 5);
    return Buffer.concat([frame, Buffer.from(body)]);
  };

  it.each([
    ['a frame shorter than its prefix', Buffer.from([1, 0])],
    ['an unknown frame kind', Buffer.concat([Buffer.from([9]), valid.subarray(1)])],
    ['a header length past the end', Buffer.from([1, 0, 0, 1, 0, 123])],
    ['a header that is not JSON', withHeader('{nope')],
    ['a header missing fields', withHeader('{"batch":1}')],
    ['a negative offset', withHeader(JSON.stringify({ ...header, offset: -1 }))],
    ['endOffset before offset', withHeader(JSON.stringify({ ...header, endOffset: 1 }))],
    ['a body without a final newline', withHeader(JSON.stringify(header), 'no newline')],
    ['lines announced but no body', withHeader(JSON.stringify(header), '')],
    ['a header nested deeper than any real one', withHeader(`{"batch":[[[[[1]]]]]}`)],
    ['a header of a million levels of arrays', withHeader(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`)],
    ['a header over 1 MiB', withHeader(JSON.stringify({ ...header, file: 'x'.repeat(1024 * 1024) }))],
  ])('rejects %s with a FrameError', (_name, frame) => {
    expect(() => decodeLinesFrame(frame)).toThrow(FrameError);
  });
});
