import { describe, expect, it } from 'vitest';
import { PaneStream } from '../../../../ui/src/features/stream/pane-stream.js';
import type { StreamEntry } from '../../../../ui/src/lib/hub/stream-entry.js';
import { line } from '../../helpers/fake-hub.js';

const lines = (...texts: string[]): StreamEntry[] => texts.map((text) => ({ kind: 'line', line: line(text, { id: text }), backlog: false }));

function visibleIds(stream: PaneStream): string[] {
  const { start, end } = stream.getSnapshot();
  const ids: string[] = [];
  for (let seq = start; seq < end; seq++) {
    const entry = stream.entryAt(seq);
    ids.push(entry?.kind === 'line' ? entry.line.id : `<${entry?.kind}>`);
  }
  return ids;
}

describe('PaneStream', () => {
  it('keeps at most `capacity` entries, trimming the oldest and counting trimmed lines', () => {
    const stream = new PaneStream(3);
    stream.append(lines('a', 'b'));
    stream.append(lines('c', 'd', 'e'));
    expect(visibleIds(stream)).toEqual(['c', 'd', 'e']);
    expect(stream.getSnapshot()).toMatchObject({ trimmed: 2, received: 5 });
    expect(stream.seqOf('a')).toBeUndefined();
    expect(stream.seqOf('e')).toBe(4);
  });

  it('commits once per append, however many entries it carries', () => {
    const stream = new PaneStream(10);
    let commits = 0;
    stream.subscribe(() => (commits += 1));
    stream.append(lines('a', 'b', 'c'));
    stream.append([]);
    expect(commits).toBe(1);
  });

  it('freezes the visible window while paused, counting new lines without losing them', () => {
    const stream = new PaneStream(10);
    stream.append(lines('a', 'b'));
    stream.pause('user');
    stream.append(lines('c', 'd', 'e'));
    expect(visibleIds(stream)).toEqual(['a', 'b']);
    expect(stream.getSnapshot()).toMatchObject({ paused: 'user', newLines: 3 });
    stream.resume();
    expect(visibleIds(stream)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(stream.getSnapshot()).toMatchObject({ paused: null, newLines: 0 });
  });

  it('while paused, trims beyond the bound (visible lines included) and says how many', () => {
    const stream = new PaneStream(4);
    stream.append(lines('a', 'b', 'c'));
    stream.pause('scroll');
    stream.append(lines('d', 'e', 'f'));
    // Bound 4: a and b were evicted although they were on screen.
    expect(visibleIds(stream)).toEqual(['c']);
    expect(stream.getSnapshot()).toMatchObject({ trimmed: 2, newLines: 3 });
    stream.append(lines('g', 'h', 'i'));
    // Now even some of the new lines went: the counter only counts what is still held.
    expect(visibleIds(stream)).toEqual([]);
    expect(stream.getSnapshot()).toMatchObject({ trimmed: 5, newLines: 4 });
    stream.resume();
    expect(visibleIds(stream)).toEqual(['f', 'g', 'h', 'i']);
  });

  it('does not count markers as lines, and adds up dropped counts', () => {
    const stream = new PaneStream(10);
    stream.pause('user');
    stream.append([
      ...lines('a'),
      { kind: 'dropped', count: 40, at: 1 },
      { kind: 'gap', from: 1, to: 2 },
      { kind: 'dropped', count: 2, at: 3 },
    ]);
    expect(stream.getSnapshot()).toMatchObject({ received: 1, newLines: 1, dropped: 42 });
    stream.resume();
    expect(visibleIds(stream)).toEqual(['a', '<dropped>', '<gap>', '<dropped>']);
  });

  it('shows a line the hub sends twice only once', () => {
    const stream = new PaneStream(10);
    stream.append(lines('a', 'b'));
    stream.append(lines('b', 'c'));
    expect(visibleIds(stream)).toEqual(['a', 'b', 'c']);
    expect(stream.getSnapshot().received).toBe(3);
  });

  it('reset() forgets lines and counters (the filter changed)', () => {
    const stream = new PaneStream(2);
    stream.append(lines('a', 'b', 'c'));
    stream.pause('user');
    stream.reset();
    expect(stream.getSnapshot()).toMatchObject({ paused: null, trimmed: 0, received: 0, newLines: 0, dropped: 0 });
    expect(visibleIds(stream)).toEqual([]);
    stream.append(lines('a'));
    expect(visibleIds(stream)).toEqual(['a']);
  });

  it('lists the line ids between two lines for shift-click, in either direction', () => {
    const stream = new PaneStream(10);
    stream.append([...lines('a', 'b'), { kind: 'gap', from: 0, to: 1 }, ...lines('c', 'd')]);
    expect(stream.lineIdsBetween('b', 'd')).toEqual(['b', 'c', 'd']);
    expect(stream.lineIdsBetween('d', 'b')).toEqual(['b', 'c', 'd']);
    expect(stream.lineIdsBetween('a', 'gone')).toBeUndefined();
  });

  it('resolves selected ids to lines in stream order and counts the evicted ones', () => {
    const stream = new PaneStream(3);
    stream.append(lines('a', 'b', 'c', 'd'));
    const { lines: found, missing } = stream.linesByIds(['d', 'a', 'b']);
    expect(found.map((l) => l.id)).toEqual(['b', 'd']);
    expect(missing).toBe(1);
  });
});

describe('PaneStream live window', () => {
  it('hands only the newest lines to the list while live, and the whole buffer once paused', () => {
    const stream = new PaneStream(10, 3);
    stream.append(lines('a', 'b', 'c', 'd', 'e'));
    expect(visibleIds(stream)).toEqual(['c', 'd', 'e']);
    stream.pause('scroll');
    expect(visibleIds(stream)).toEqual(['a', 'b', 'c', 'd', 'e']);
    stream.append(lines('f'));
    stream.resume();
    expect(visibleIds(stream)).toEqual(['d', 'e', 'f']);
    // Selection and copy reach lines outside the window.
    expect(stream.lineIdsBetween('a', 'f')).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });
});

describe('PaneStream older lines', () => {
  it('puts older lines above the oldest, skipping held ones, in one commit, and keeps seqs of held lines', () => {
    const stream = new PaneStream(10);
    stream.append(lines('c', 'd'));
    stream.pause('scroll');
    let commits = 0;
    stream.subscribe(() => (commits += 1));
    const older = ['a', 'b', 'c'].map((id) => line(id, { id }));
    expect(stream.prepend(older)).toBe(2);
    expect(commits).toBe(1);
    expect(visibleIds(stream)).toEqual(['a', 'b', 'c', 'd']);
    expect(stream.seqOf('c')).toBe(0);
    expect(stream.seqOf('a')).toBe(-2);
    expect(stream.oldestLine()?.id).toBe('a');
    expect(stream.lineIdsBetween('a', 'd')).toEqual(['a', 'b', 'c', 'd']);
    // Lines arriving later are still new lines, not shown until resume.
    stream.append(lines('e'));
    expect(visibleIds(stream)).toEqual(['a', 'b', 'c', 'd']);
    expect(stream.getSnapshot().newLines).toBe(1);
  });

  it('keeps one divider per deploy: a reconnect replays the backlog it sits in again', () => {
    const stream = new PaneStream(10);
    const deploy = { kind: 'deploy' as const, deploy: { id: 'd1', label: 'web', startedAt: 1, createdAt: 1 } };
    stream.append([...lines('a'), deploy, ...lines('b')]);
    stream.append([...lines('a'), deploy, ...lines('b', 'c')]);
    expect(visibleIds(stream)).toEqual(['a', '<deploy>', 'b', 'c']);
    expect(stream.deploys().map((d) => d.id)).toEqual(['d1']);
  });

  it('puts the deploy dividers history placed among older lines above the oldest, once', () => {
    const stream = new PaneStream(10);
    stream.append(lines('c'));
    const deploy = { kind: 'deploy' as const, deploy: { id: 'd0', label: 'web', startedAt: 1, createdAt: 1 } };
    expect(stream.prepend([line('a', { id: 'a' }), deploy, line('b', { id: 'b' })])).toBe(2);
    expect(stream.prepend([deploy])).toBe(0);
    stream.pause('user');
    expect(visibleIds(stream)).toEqual(['a', '<deploy>', 'b', 'c']);
  });

  it('adds only what fits: older lines never push newer ones out', () => {
    const stream = new PaneStream(3);
    stream.append(lines('c', 'd'));
    expect(stream.prepend(['a', 'b'].map((id) => line(id, { id })))).toBe(1);
    expect(stream.canPrepend).toBe(false);
    stream.pause('user');
    expect(visibleIds(stream)).toEqual(['b', 'c', 'd']);
  });
});
