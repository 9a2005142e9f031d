import { describe, expect, it } from 'vitest';
import { applySgr, parseAnsi, stripAnsi, xterm256 } from '../../../../ui/src/lib/text/ansi.js';

const ESC = '\x1b';

function visible(raw: string) {
  return parseAnsi(raw).map((span) => ({ text: raw.slice(span.start, span.end), style: span.style }));
}

describe('parseAnsi', () => {
  it('returns one unstyled span for a plain line, and none for an empty one', () => {
    expect(parseAnsi('hello')).toEqual([{ start: 0, end: 5, style: undefined }]);
    expect(parseAnsi('')).toEqual([]);
  });

  it('maps each visible run to its raw offsets, skipping the escape bytes', () => {
    const raw = `a${ESC}[31mred${ESC}[0mb`;
    expect(parseAnsi(raw)).toEqual([
      { start: 0, end: 1, style: undefined },
      { start: 6, end: 9, style: { fg: { kind: 'palette', index: 1 } } },
      { start: 13, end: 14, style: undefined },
    ]);
  });

  it('accumulates attributes and resets them selectively', () => {
    const raw = `${ESC}[1;4;32mx${ESC}[22my${ESC}[39;24mz`;
    expect(visible(raw)).toEqual([
      { text: 'x', style: { bold: true, underline: true, fg: { kind: 'palette', index: 2 } } },
      { text: 'y', style: { underline: true, fg: { kind: 'palette', index: 2 } } },
      { text: 'z', style: undefined },
    ]);
  });

  it('treats ESC[m as a reset', () => {
    expect(visible(`${ESC}[31mr${ESC}[mplain`)[1]).toEqual({ text: 'plain', style: undefined });
  });

  it('reads bright, background, 256-colour and true-colour forms', () => {
    expect(applySgr(undefined, '91;104')).toEqual({ fg: { kind: 'palette', index: 9 }, bg: { kind: 'palette', index: 12 } });
    expect(applySgr(undefined, '38;5;208')).toEqual({ fg: { kind: 'palette', index: 208 } });
    expect(applySgr(undefined, '48;2;10;20;30;1')).toEqual({ bg: { kind: 'rgb', r: 10, g: 20, b: 30 }, bold: true });
    expect(applySgr(undefined, '38:2::255:128:0')).toEqual({ fg: { kind: 'rgb', r: 255, g: 128, b: 0 } });
    expect(applySgr(undefined, '38:5:99')).toEqual({ fg: { kind: 'palette', index: 99 } });
  });

  it('ignores out-of-range colour values instead of producing invalid CSS', () => {
    expect(applySgr(undefined, '38;2;300;0;0')).toBeUndefined();
    expect(applySgr(undefined, '38;5;999')).toBeUndefined();
  });

  it('strips non-colour sequences: cursor moves, erase line, OSC titles and hyperlinks', () => {
    const raw = `${ESC}[2K${ESC}[1Gstart ${ESC}]0;title\x07mid ${ESC}]8;;https://evil.example${ESC}\\link${ESC}]8;;${ESC}\\ end${ESC}(B`;
    expect(stripAnsi(raw)).toBe('start mid link end');
  });

  it('keeps the text after an unterminated OSC visible rather than hiding the rest of the line', () => {
    // Only the introducer (ESC ]) goes; a terminal would swallow the rest, a log viewer must not.
    expect(stripAnsi(`before ${ESC}]0;never terminated`)).toBe('before 0;never terminated');
  });

  it('ignores private-mode SGR parameters', () => {
    expect(visible(`${ESC}[>4;2mtext`)).toEqual([{ text: 'text', style: undefined }]);
  });

  it('drops a lone trailing ESC', () => {
    expect(stripAnsi(`abc${ESC}`)).toBe('abc');
  });
});

describe('xterm256', () => {
  it('computes the colour cube and the grey ramp', () => {
    expect(xterm256(16)).toBe('rgb(0, 0, 0)');
    expect(xterm256(196)).toBe('rgb(255, 0, 0)');
    expect(xterm256(232)).toBe('rgb(8, 8, 8)');
    expect(xterm256(255)).toBe('rgb(238, 238, 238)');
  });
});
