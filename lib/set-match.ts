import type RE2 from 're2';

/**
 * Indexes of the patterns that match `input`: one RE2.Set call, or, when the Set gives up (its DFA
 * runs out of memory on a line of many kilobytes against many complex patterns, and RE2.Set has no
 * fallback of its own), each pattern on its own, which falls back to RE2's NFA and always answers.
 * `singles[i]` is pattern i compiled alone; its lastIndex is reset, so a global regex works too.
 * Used by the filter engine and by redaction.
 */
export function matchingPatterns(set: InstanceType<typeof RE2.Set>, singles: readonly RE2[], input: string | Buffer): readonly number[] {
  try {
    return set.match(input);
  } catch {
    const hits: number[] = [];
    singles.forEach((single, index) => {
      single.lastIndex = 0;
      if (single.test(input)) hits.push(index);
    });
    return hits;
  }
}
