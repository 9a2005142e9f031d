import { describe, expect, it } from 'vitest';
import { visibleControls } from '../../../../ui/src/lib/text/safe-text.js';

describe('visibleControls', () => {
  it('leaves ordinary text (and tabs) alone', () => {
    const text = 'GET /x\t200 ünïcödé 🔥';
    expect(visibleControls(text)).toBe(text);
  });

  it('shows C0 controls and DEL as control pictures', () => {
    expect(visibleControls('a\x00b\rc\x07d\x7f')).toBe('a␀b␍c␇d␡');
  });

  it('neutralises bidirectional overrides that could disguise a line', () => {
    expect(visibleControls('user=\u202Enimda\u202C ok')).toBe('user=<U+202E>nimda<U+202C> ok');
    expect(visibleControls('\u2066x\u2069')).toBe('<U+2066>x<U+2069>');
  });

  it('is stable across calls (the global regex keeps no state between them)', () => {
    expect(visibleControls('\x01')).toBe('␁');
    expect(visibleControls('\x01')).toBe('␁');
  });
});
