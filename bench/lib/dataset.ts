import RE2 from 're2';
import { LogGenerator } from '../../lib/log-generator.js';
import { seededRandom } from '../../lib/seeded-random.js';

/**
 * Benchmark data: realistic log lines from lib/log-generator.ts (access and application lines in
 * equal parts, about 140 bytes each) and sets of distinct filters chosen so that the lines matching
 * at least one filter of a set are about `targetShare` (1%) of all lines. Every pattern is written in
 * the syntax RE2 and GNU `grep -E` share, so both run exactly the same patterns.
 */

const SERVICES = ['checkout', 'search', 'payments', 'listings', 'auth', 'images'];
const WORDS = ['vintage lamp', 'ceramic mug', 'knitted scarf', 'oak table', 'silver ring'];

/** Distinct lines generated before the sequence repeats (the generator makes about 100k lines/s). */
const UNIQUE_LINES = 200_000;

/**
 * `count` log lines (no newlines inside), deterministic for `seed`. The first 200,000 are generated;
 * longer runs repeat them, which keeps data sets of millions of lines quick to make and changes
 * nothing for a matcher that looks at one line at a time.
 */
export function generateLines(count: number, seed = 1, host = 'web-1'): string[] {
  const generator = new LogGenerator(host, seed);
  const lines: string[] = [];
  let ms = Date.UTC(2026, 10, 26, 20, 0, 0);
  const unique = Math.min(count, UNIQUE_LINES);
  while (lines.length < unique) {
    ms += 1;
    const now = new Date(ms);
    if (lines.length % 2 === 0) lines.push(generator.accessLine(now));
    else for (const line of generator.appLines(now)) if (lines.length < unique) lines.push(line);
  }
  for (let i = 0; lines.length < count; i += 1) lines.push(lines[i]!);
  return lines;
}

/** `lines` as one Buffer of `\n`-ended lines. */
export function joinLines(lines: readonly string[]): Buffer {
  return Buffer.from(lines.map((line) => `${line}\n`).join(''), 'utf8');
}

function digits(random: () => number, count: number, first = 1): string {
  let out = String(first + Math.floor(random() * (10 - first)));
  for (let i = 1; i < count; i += 1) out += String(Math.floor(random() * 10));
  return out;
}

/**
 * Candidate filter patterns of the kinds people type into a log search: an id, an IP, a status
 * with a slow response time, the errors of one service, a field in a range. Deterministic for `seed`.
 */
function candidatePatterns(count: number, seed = 42): string[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const families: Array<() => string> = [
    () => `user_id=${digits(random, 3)}[0-9]{3}\\b`,
    () => `order_id=${digits(random, 2)}[0-9]{4} `,
    () => `listing_id=${digits(random, 2)}[0-9]{4}\\b`,
    () => `"(GET|POST|PUT) /shop/${digits(random, 2)}[0-9]+ `,
    () => `nginx: 10\\.0\\.${Math.floor(random() * 8)}\\.${2 + Math.floor(random() * 248)} `,
    () => `status=(50[234]|404) bytes=${digits(random, 1)}[0-9]{3} `,
    () => `ERROR \\[${pick(SERVICES)}\\] `,
    () => `took_ms=${digits(random, 2)}[0-9]{2}\\b`,
    () => `bytes=${digits(random, 3)}[0-9]{2} rt=0\\.[0-9]+ ua="curl`,
    () => `q="${pick(WORDS)}" results=${digits(random, 1)}[0-9]{2} `,
    () => `WARN +\\[${pick(SERVICES)}\\] slow query took_ms=${digits(random, 1)}`,
    () => `"p99_ms":${digits(random, 2)}[0-9],`,
    () => `(charge failed|upstream timeout).*(order_id=${digits(random, 1)}|service=images)`,
    () => `/listing/${digits(random, 2)}[0-9]+/(handmade-mug|vintage-lamp)`,
    () => `order_id=${digits(random, 3)}[0-9]{3} user_id=`,
    () => `listing_id=${digits(random, 3)}[0-9]{3} fields=`,
    () => `"GET /shop/${digits(random, 3)}[0-9]* HTTP`,
    () => `search served q="[a-z]+ ${pick(['lamp', 'mug', 'scarf', 'table', 'ring'])}" results=${digits(random, 2)}[0-9]\\b`,
  ];
  const seen = new Set<string>();
  const out: string[] = [];
  for (let attempt = 0; out.length < count && attempt < count * 20; attempt += 1) {
    const pattern = families[attempt % families.length]!();
    if (!seen.has(pattern)) {
      seen.add(pattern);
      out.push(pattern);
    }
  }
  return out;
}

/** The "errors" query most people start with: server errors and application errors. */
export const ERRORS_PATTERN = 'ERROR|status=5[0-9][0-9]';

export interface FilterSet {
  patterns: string[];
  /** Share of the sample's lines that at least one pattern matches. */
  unionShare: number;
}

/**
 * Picks `count` distinct patterns whose union matches about `targetShare` of `sample`: each
 * candidate's own share is measured (one RE2.Set pass over the sample), and the candidates closest
 * to `targetShare / count` are taken. One filter is the errors query.
 */
export function chooseFilters(sample: readonly string[], count: number, targetShare = 0.01, seed = 42): FilterSet {
  const candidates = count === 1 ? [ERRORS_PATTERN] : candidatePatterns(Math.max(600, count * 8), seed);
  const set = new RE2.Set(candidates);
  const hits: number[][] = candidates.map(() => []);
  sample.forEach((line, index) => {
    for (const match of set.match(line)) hits[match]!.push(index);
  });
  const wanted = Math.log(targetShare / count);
  const order = candidates
    .map((pattern, index) => ({ pattern, index, share: hits[index]!.length / sample.length }))
    .filter((candidate) => candidate.share > 0)
    .sort((a, b) => Math.abs(Math.log(a.share) - wanted) - Math.abs(Math.log(b.share) - wanted) || a.index - b.index);
  // Greedy: take candidates closest to the per-filter share first, skipping one that would push the
  // union of the set so far past its proportional part of the target.
  const chosen: typeof order = [];
  const union = new Set<number>();
  const skipped: typeof order = [];
  for (const candidate of order) {
    if (chosen.length === count) break;
    const added = hits[candidate.index]!.filter((index) => !union.has(index));
    if (union.size + added.length > targetShare * sample.length * ((chosen.length + 1) / count) * 1.15) {
      skipped.push(candidate);
      continue;
    }
    chosen.push(candidate);
    for (const index of added) union.add(index);
  }
  for (const candidate of skipped) {
    if (chosen.length === count) break;
    chosen.push(candidate);
    for (const index of hits[candidate.index]!) union.add(index);
  }
  return { patterns: chosen.map((candidate) => candidate.pattern), unionShare: union.size / sample.length };
}
