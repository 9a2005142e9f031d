import type { FilterSpec } from '../../../../protocol/index.js';

/**
 * The whole view in the URL, readable by a human who pastes it into chat:
 *
 *   ?q=status%3D5%5Cd%5Cd&q2=error&h2=web-3&i2=1&active=2&layout=tabs#line=<line id>
 *
 * Pane 1 uses bare keys, pane N (N >= 2) the same keys suffixed with N: q (query), x (exclude),
 * i=1 (case-insensitive), h (host glob, repeated), f (file glob, repeated). Pane N >= 2 always
 * carries qN, even empty, so an "every line" pane survives the round trip. `active` is 1-based.
 */

export const MAX_PANES = 6;
const MAX_GLOBS = 64;
const MAX_GLOB_LENGTH = 256;

export type Layout = 'split' | 'tabs';

export interface UrlView {
  panes: FilterSpec[];
  /** Index into panes. */
  active: number;
  layout: Layout;
  /** A line permalink: scroll to and highlight this hub line id in the active pane. */
  line?: string;
}

/** Drops default-valued fields so equal filters compare (and encode) equal. */
export function normalizeFilter(filter: FilterSpec): FilterSpec {
  const clean: FilterSpec = { query: filter.query };
  if (filter.exclude) clean.exclude = filter.exclude;
  if (filter.caseInsensitive) clean.caseInsensitive = true;
  if (filter.hosts?.length) clean.hosts = [...filter.hosts];
  if (filter.files?.length) clean.files = [...filter.files];
  return clean;
}

export function encodeView(view: UrlView): { search: string; hash: string } {
  const params = new URLSearchParams();
  view.panes.slice(0, MAX_PANES).forEach((filter, index) => {
    const suffix = index === 0 ? '' : String(index + 1);
    if (index > 0 || filter.query !== '') params.set(`q${suffix}`, filter.query);
    if (filter.exclude) params.set(`x${suffix}`, filter.exclude);
    if (filter.caseInsensitive) params.set(`i${suffix}`, '1');
    for (const host of filter.hosts ?? []) params.append(`h${suffix}`, host);
    for (const file of filter.files ?? []) params.append(`f${suffix}`, file);
  });
  if (view.active > 0) params.set('active', String(view.active + 1));
  if (view.layout === 'tabs') params.set('layout', 'tabs');
  const search = params.toString();
  const hash = view.line === undefined ? '' : `line=${encodeURIComponent(view.line)}`;
  return { search: search ? `?${search}` : '', hash: hash ? `#${hash}` : '' };
}

const PANE_KEY = /^([qxihf])([2-9]|[1-9]\d+)?$/;

/** Reads a view back; anything malformed is ignored rather than refused, since URLs get hand-edited. */
export function decodeView(search: string, hash: string): UrlView {
  const params = new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
  const byNumber = new Map<number, FilterSpec>([[1, { query: '' }]]);
  for (const [key, value] of params) {
    const match = PANE_KEY.exec(key);
    if (!match) continue;
    const number = match[2] === undefined ? 1 : Number(match[2]);
    let filter = byNumber.get(number);
    if (!filter) {
      filter = { query: '' };
      byNumber.set(number, filter);
    }
    switch (match[1]) {
      case 'q':
        filter.query = value;
        break;
      case 'x':
        filter.exclude = value;
        break;
      case 'i':
        filter.caseInsensitive = value === '1' || value === 'true';
        break;
      case 'h':
        filter.hosts = addGlob(filter.hosts, value);
        break;
      case 'f':
        filter.files = addGlob(filter.files, value);
        break;
    }
  }
  const panes = [...byNumber.entries()]
    .sort(([a], [b]) => a - b)
    .slice(0, MAX_PANES)
    .map(([, filter]) => normalizeFilter(filter));
  const active = Number(params.get('active') ?? '1') - 1;
  const line = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash).get('line');
  return {
    panes,
    active: Number.isInteger(active) && active >= 0 && active < panes.length ? active : 0,
    layout: params.get('layout') === 'tabs' ? 'tabs' : 'split',
    ...(line ? { line } : {}),
  };
}

function addGlob(list: string[] | undefined, glob: string): string[] | undefined {
  if (glob === '' || glob.length > MAX_GLOB_LENGTH) return list;
  const next = list ?? [];
  if (next.length < MAX_GLOBS && !next.includes(glob)) next.push(glob);
  return next;
}
