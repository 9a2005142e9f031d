import { describe, expect, it } from 'vitest';
import { PaneStream } from '../../../../ui/src/features/stream/pane-stream.js';
import { edgeLine, stepCursor } from '../../../../ui/src/features/stream/row-cursor.js';
import type { StreamEntry } from '../../../../ui/src/lib/hub/stream-entry.js';
import { line } from '../../helpers/fake-hub.js';

const lineEntry = (id: string): StreamEntry => ({ kind: 'line', line: line(`text ${id}`, { id }), backlog: false });
const gap: StreamEntry = { kind: 'dropped', count: 3, at: 0 };

describe('row cursor', () => {
  it('starts at the newest line, steps over markers, and stays put at either end', () => {
    const stream = new PaneStream(100);
    stream.append([lineEntry('a'), gap, lineEntry('b'), lineEntry('c')]);
    expect(stepCursor(stream, undefined, -1)).toBe('c');
    expect(stepCursor(stream, undefined, 1)).toBe('c');
    expect(stepCursor(stream, 'c', -1)).toBe('b');
    expect(stepCursor(stream, 'b', -1)).toBe('a');
    expect(stepCursor(stream, 'a', -1)).toBe('a');
    expect(stepCursor(stream, 'a', 1)).toBe('b');
    expect(stepCursor(stream, 'c', 1)).toBe('c');
    expect(edgeLine(stream, 'first')).toBe('a');
    expect(edgeLine(stream, 'last')).toBe('c');
  });

  it('starts again at the newest line when the cursor line was trimmed', () => {
    const stream = new PaneStream(2);
    stream.append([lineEntry('a'), lineEntry('b'), lineEntry('c')]);
    expect(stepCursor(stream, 'a', 1)).toBe('c');
    expect(edgeLine(new PaneStream(2), 'first')).toBeUndefined();
  });
});
