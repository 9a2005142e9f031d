import { DEFAULT_LIMITS, type FilterSpec } from '../../../../protocol/index.js';

/**
 * The whole view in the URL, readable by a human who pastes it into chat:
 *
 *   ?q=status%3D5%5Cd%5Cd&q2=error&h2=web-3&i2=1&active=2&layout=tabs#line=<line id>
 *
 * Pane 1 uses bare keys, pane N (N >= 2) the same keys suffixed with N: q (query), x (exclude),
 * i=1 (case-insensitive), h (host glob, repeated), f (file glob, repeated), ns, pod and ctr (namespace,
 * pod and container globs, repeated), p (the id of the pin the pane was opened from). Pane N >= 2 always carries qN, even empty, so an "every line" pane survives
 * the round trip. `active` is 1-based.
 *
 * The hub's alert messages link here with `from` and `to` (ms since the epoch) and, for the chart
 * link, `chart=1`: the first pane then opens on the history of that range, and the chart panel on
 * its pin (`p`) or filter over that window. Only the page load reads these keys (the app never
 * writes them), so the address bar drops them once the app has taken the view over.
 */

export const MAX_PANES = 6;
const MAX_GLOBS = DEFAULT_LIMITS.maxGlobsPerList;
const MAX_GLOB_LENGTH = DEFAULT_LIMITS.maxGlobLength;
/** Pin ids are the hub's random ids; anything else in `p` is ignored. */
const PIN_ID = /^[A-Za-z0-9_-]{1,64}$/;

export type Layout = 'split' | 'tabs';

export interface UrlView {
  panes: FilterSpec[];
  /** Per pane (same index), the pin it shows, if it was opened from one. */
  pins?: (string | undefined)[];
  /** Index into panes. */
  active: number;
  layout: Layout;
  /** A line permalink: scroll to and highlight this hub line id in the active pane. */
  line?: string;
  /** `from`/`to`: the first pane starts on the history of this range (read on load only). */
  range?: { from: number; to: number };
  /** `chart=1`: the chart panel opens on the first pane's pin or filter, over `range` if any (read on load only). */
  chart?: boolean;
}

/** Drops default-valued fields so equal filters compare (and encode) equal. */
export function normalizeFilter(filter: FilterSpec): FilterSpec {
  const clean: FilterSpec = { query: filter.query };
  if (filter.exclude) clean.exclude = filter.exclude;
  if (filter.caseInsensitive) clean.caseInsensitive = true;
  if (filter.hosts?.length) clean.hosts = [...filter.hosts];
  if (filter.files?.length) clean.files = [...filter.files];
  if (filter.namespaces?.length) clean.namespaces = [...filter.namespaces];
  if (filter.pods?.length) clean.pods = [...filter.pods];
  if (filter.containers?.length) clean.containers = [...filter.containers];
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
    for (const namespace of filter.namespaces ?? []) params.append(`ns${suffix}`, namespace);
    for (const pod of filter.pods ?? []) params.append(`pod${suffix}`, pod);
    for (const container of filter.containers ?? []) params.append(`ctr${suffix}`, container);
    const pin = view.pins?.[index];
    if (pin !== undefined) params.set(`p${suffix}`, pin);
  });
  if (view.active > 0) params.set('active', String(view.active + 1));
  if (view.layout === 'tabs') params.set('layout', 'tabs');
  const search = params.toString();
  const hash = view.line === undefined ? '' : `line=${encodeURIComponent(view.line)}`;
  return { search: search ? `?${search}` : '', hash: hash ? `#${hash}` : '' };
}

const PANE_KEY = /^(ns|pod|ctr|[qxihfp])([2-9]|[1-9]\d+)?$/;

/** Reads a view back; anything malformed is ignored rather than refused, since URLs get hand-edited. */
export function decodeView(search: string, hash: string): UrlView {
  const params = new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
  const byNumber = new Map<number, FilterSpec>([[1, { query: '' }]]);
  const pinByNumber = new Map<number, string>();
  for (const [key, value] of params) {
    const match = PANE_KEY.exec(key);
    if (!match) continue;
    const number = match[2] === undefined ? 1 : Number(match[2]);
    if (match[1] === 'p') {
      if (PIN_ID.test(value)) pinByNumber.set(number, value);
      continue;
    }
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
      case 'ns':
        filter.namespaces = addGlob(filter.namespaces, value);
        break;
      case 'pod':
        filter.pods = addGlob(filter.pods, value);
        break;
      case 'ctr':
        filter.containers = addGlob(filter.containers, value);
        break;
    }
  }
  const numbers = [...byNumber.keys()].sort((a, b) => a - b).slice(0, MAX_PANES);
  const panes = numbers.map((number) => normalizeFilter(byNumber.get(number)!));
  const pins = numbers.map((number) => pinByNumber.get(number));
  const active = Number(params.get('active') ?? '1') - 1;
  const line = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash).get('line');
  const range = decodeRange(params.get('from'), params.get('to'));
  return {
    panes,
    active: Number.isInteger(active) && active >= 0 && active < panes.length ? active : 0,
    layout: params.get('layout') === 'tabs' ? 'tabs' : 'split',
    ...(pins.some((pin) => pin !== undefined) ? { pins } : {}),
    ...(line ? { line } : {}),
    ...(range ? { range } : {}),
    ...(params.get('chart') === '1' ? { chart: true } : {}),
  };
}

/** `from` and `to` as whole ms since the epoch, from <= to; anything else is no range at all. */
function decodeRange(from: string | null, to: string | null): { from: number; to: number } | undefined {
  if (from === null || to === null || !/^\d{1,15}$/.test(from) || !/^\d{1,15}$/.test(to)) return undefined;
  const range = { from: Number(from), to: Number(to) };
  return range.from <= range.to ? range : undefined;
}

function addGlob(list: string[] | undefined, glob: string): string[] | undefined {
  if (glob === '' || glob.length > MAX_GLOB_LENGTH) return list;
  const next = list ?? [];
  if (next.length < MAX_GLOBS && !next.includes(glob)) next.push(glob);
  return next;
}
