import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PANES, decodeView, encodeView, normalizeFilter, type UrlView } from '../../../../ui/src/features/panes/url-state.js';

const roundTrip = (view: UrlView) => {
  const { search, hash } = encodeView(view);
  return decodeView(search, hash);
};

describe('URL view state', () => {
  it('decodes an empty URL to one pane showing every line', () => {
    expect(decodeView('', '')).toEqual({ panes: [{ query: '' }], active: 0, layout: 'split' });
    expect(encodeView({ panes: [{ query: '' }], active: 0, layout: 'split' })).toEqual({ search: '', hash: '' });
  });

  it('writes a readable URL for two panes, the active one and a line permalink', () => {
    const view: UrlView = {
      panes: [{ query: 'status=5\\d\\d' }, { query: 'error', hosts: ['web-3'], caseInsensitive: true, exclude: 'healthz' }],
      active: 1,
      layout: 'tabs',
      line: 'web-3:app.log:42/7',
    };
    const { search, hash } = encodeView(view);
    expect(search).toBe('?q=status%3D5%5Cd%5Cd&q2=error&x2=healthz&i2=1&h2=web-3&active=2&layout=tabs');
    expect(hash).toBe('#line=web-3%3Aapp.log%3A42%2F7');
    expect(decodeView(search, hash)).toEqual(view);
  });

  it('names the pin a pane was opened from (p, pN), and ignores what cannot be a pin id', () => {
    const view: UrlView = { panes: [{ query: 'timeout' }, { query: 'b' }, { query: 'oom' }], pins: ['k3x9q2aa0b1c', undefined, 'pin_2-x'], active: 0, layout: 'split' };
    const { search } = encodeView(view);
    expect(search).toBe('?q=timeout&p=k3x9q2aa0b1c&q2=b&q3=oom&p3=pin_2-x');
    expect(decodeView(search, '')).toEqual(view);
    expect(decodeView('?q=a&p=%3Cscript%3E&q2=b&p2=' + 'x'.repeat(65), '')).toEqual({ panes: [{ query: 'a' }, { query: 'b' }], active: 0, layout: 'split' });
  });

  it("reads an alert link's time range (from, to) and chart=1, and never writes them", () => {
    const chart = decodeView('?q=ERROR&p=k3x9q2aa0b1c&from=1764188220000&to=1764190620000&chart=1', '');
    expect(chart).toEqual({ panes: [{ query: 'ERROR' }], pins: ['k3x9q2aa0b1c'], active: 0, layout: 'split', range: { from: 1764188220000, to: 1764190620000 }, chart: true });
    expect(encodeView(chart).search).toBe('?q=ERROR&p=k3x9q2aa0b1c');
    expect(decodeView('?q=ERROR&from=5&to=5', '')).toMatchObject({ range: { from: 5, to: 5 } });
    // chart=1 alone charts the filter over the default window.
    expect(decodeView('?q=ERROR&chart=1', '')).toEqual({ panes: [{ query: 'ERROR' }], active: 0, layout: 'split', chart: true });
  });

  it.each([
    ['from after to', '?q=a&from=2000&to=1000'],
    ['only from', '?q=a&from=1000'],
    ['only to', '?q=a&to=1000'],
    ['not numbers', '?q=a&from=yesterday&to=now'],
    ['empty', '?q=a&from=&to='],
    ['negative', '?q=a&from=-5&to=1000'],
    ['fractions', '?q=a&from=1.5&to=1000'],
    ['exponents', '?q=a&from=1e3&to=2e3'],
    ['past any date', '?q=a&from=1&to=9999999999999999999'],
  ])('ignores a range that is not one (%s), and chart values other than 1', (_name, search) => {
    expect(decodeView(search, '')).toEqual({ panes: [{ query: 'a' }], active: 0, layout: 'split' });
    expect(decodeView(`${search}&chart=yes`, '')).toEqual({ panes: [{ query: 'a' }], active: 0, layout: 'split' });
  });

  it('writes pod scopes as ns, pod and ctr, repeated, and reads them back', () => {
    const view: UrlView = {
      panes: [{ query: 'error', namespaces: ['shop'] }, { query: '', pods: ['checkout-*', 'cart-*'], containers: ['app'] }],
      active: 0,
      layout: 'split',
    };
    const { search } = encodeView(view);
    expect(search).toBe('?q=error&ns=shop&q2=&pod2=checkout-*&pod2=cart-*&ctr2=app');
    expect(decodeView(search, '')).toEqual(view);
  });

  it('keeps an empty-query pane after the first (it shows every line)', () => {
    const view: UrlView = { panes: [{ query: 'a' }, { query: '' }, { query: 'c' }], active: 2, layout: 'split' };
    expect(roundTrip(view)).toEqual(view);
  });

  it('round-trips any view (property test)', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 40 });
    const glob = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 });
    const filter = fc
      .record({
        query: text,
        exclude: fc.option(text, { nil: undefined }),
        caseInsensitive: fc.option(fc.boolean(), { nil: undefined }),
        hosts: fc.option(fc.uniqueArray(glob, { maxLength: 4 }), { nil: undefined }),
        files: fc.option(fc.uniqueArray(glob, { maxLength: 4 }), { nil: undefined }),
        namespaces: fc.option(fc.uniqueArray(glob, { maxLength: 4 }), { nil: undefined }),
        pods: fc.option(fc.uniqueArray(glob, { maxLength: 4 }), { nil: undefined }),
        containers: fc.option(fc.uniqueArray(glob, { maxLength: 4 }), { nil: undefined }),
      })
      .map((f) => normalizeFilter({ ...f }));
    const view = fc
      .record({
        panes: fc.array(filter, { minLength: 1, maxLength: MAX_PANES }),
        activeSeed: fc.nat(),
        layout: fc.constantFrom('split' as const, 'tabs' as const),
        line: fc.option(fc.string({ minLength: 1, maxLength: 60 }), { nil: undefined }),
      })
      .map(({ panes, activeSeed, layout, line }): UrlView => ({ panes, active: activeSeed % panes.length, layout, ...(line ? { line } : {}) }));
    fc.assert(
      fc.property(view, (v) => {
        expect(roundTrip(v)).toEqual(v);
      }),
    );
  });

  it('tolerates hand-edited URLs: unknown keys, gaps in pane numbers, bad active, too many panes', () => {
    const search = '?utm=x&q=a&q3=c&active=9&h3=&h3=web-1&h3=web-1&i=yes&layout=grid';
    expect(decodeView(search, '#foo=bar')).toEqual({
      panes: [{ query: 'a' }, { query: 'c', hosts: ['web-1'] }],
      active: 0,
      layout: 'split',
    });
    const many = Array.from({ length: 10 }, (_, i) => `q${i + 2}=p${i + 2}`).join('&');
    expect(decodeView(`?${many}`, '').panes).toHaveLength(MAX_PANES);
  });
});
