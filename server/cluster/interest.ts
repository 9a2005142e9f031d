import { globLiteral, type FilterSpec } from '../../protocol/index.js';
import { ALL_LINES, LINES_PREFIX, encodeToken } from './subjects.js';

/**
 * The host tokens a filter's host globs need: exact names (escapes allowed) become their token,
 * anything with wildcards needs every host (`*`), since NATS wildcards match whole tokens only.
 */
function hostTokens(hosts: readonly string[] | undefined): string[] {
  const literals = hosts?.map(globLiteral);
  if (!literals || literals.length === 0 || literals.some((host) => host === undefined)) return ['*'];
  return [...new Set(literals.map((host) => encodeToken(host!)))];
}

/**
 * Like hostTokens for file globs, where a glob without a slash also matches a path's last segment
 * (filter-compiler.ts): only a literal absolute path names one subject.
 */
function fileTokens(files: readonly string[] | undefined): string[] {
  const literals = files?.map(globLiteral);
  if (!literals || literals.length === 0 || literals.some((file) => file === undefined || !file.includes('/'))) return ['*'];
  return [...new Set(literals.map((file) => encodeToken(file!)))];
}

/**
 * The line subjects a hub must subscribe to so that it receives every line `spec` selects from
 * other hubs: literal host and file lists give exact subjects, globs fall back to `*` in their
 * position, no restriction at all is every line.
 */
export function subjectsForFilter(spec: Pick<FilterSpec, 'hosts' | 'files'>): string[] {
  const subjects: string[] = [];
  for (const host of hostTokens(spec.hosts)) {
    for (const file of fileTokens(spec.files)) subjects.push(`${LINES_PREFIX}.${host}.${file}`);
  }
  return subjects;
}

/** True when subject pattern `a` (tokens or `*`) matches every subject `b` matches. */
function covers(a: string, b: string): boolean {
  const at = a.split('.');
  const bt = b.split('.');
  if (at.length !== bt.length) return false;
  return at.every((token, i) => token === '*' || token === bt[i]);
}

/** Removes subjects covered by another one of the set (`sg.lines.web.*` covers `sg.lines.web.a`). */
export function minimizeSubjects(subjects: Iterable<string>): string[] {
  const unique = [...new Set(subjects)];
  if (unique.includes(ALL_LINES)) return [ALL_LINES];
  return unique.filter((subject) => !unique.some((other) => other !== subject && covers(other, subject))).sort();
}

/**
 * The line subjects one hub needs for all its live subscriptions, reference-counted per filter
 * key. `add`/`remove` return whether the minimized set changed; `subjects` is that set.
 */
export class InterestSet {
  private readonly filters = new Map<string, { subjects: string[]; refs: number }>();
  private current: string[] = [];

  get subjects(): readonly string[] {
    return this.current;
  }

  add(key: string, spec: Pick<FilterSpec, 'hosts' | 'files'>): boolean {
    const entry = this.filters.get(key);
    if (entry) {
      entry.refs += 1;
      return false;
    }
    this.filters.set(key, { subjects: subjectsForFilter(spec), refs: 1 });
    return this.recompute();
  }

  remove(key: string): boolean {
    const entry = this.filters.get(key);
    if (!entry) return false;
    entry.refs -= 1;
    if (entry.refs > 0) return false;
    this.filters.delete(key);
    return this.recompute();
  }

  private recompute(): boolean {
    const next = minimizeSubjects([...this.filters.values()].flatMap((entry) => entry.subjects));
    const changed = next.length !== this.current.length || next.some((subject, i) => subject !== this.current[i]);
    this.current = next;
    return changed;
  }
}
