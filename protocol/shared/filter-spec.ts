import { z } from 'zod';
import { DEFAULT_LIMITS } from './limits.js';

/** The message a too-long pattern gets, here and from the hub: the length and the limit. */
export function patternTooLongMessage(length: number, limit: number = DEFAULT_LIMITS.maxPatternLength): string {
  return `the pattern is ${length} characters long; the hub accepts at most ${limit}`;
}

const pattern = z.string().max(DEFAULT_LIMITS.maxPatternLength, {
  error: (issue) => patternTooLongMessage(typeof issue.input === 'string' ? issue.input.length : Number.NaN),
});
/** The message a too-long host or file glob gets, here and from the hub. */
export function globTooLongMessage(length: number): string {
  return `a host or file glob is ${length} characters long; the hub accepts at most ${DEFAULT_LIMITS.maxGlobLength}`;
}

/** The message a host or file list with too many globs gets, here and from the hub. */
export function tooManyGlobsMessage(count: number): string {
  return `a host or file list has ${count} globs; the hub accepts at most ${DEFAULT_LIMITS.maxGlobsPerList}`;
}

const globList = z
  .array(
    z
      .string()
      .min(1)
      .max(DEFAULT_LIMITS.maxGlobLength, { error: (issue) => globTooLongMessage(typeof issue.input === 'string' ? issue.input.length : Number.NaN) }),
  )
  .max(DEFAULT_LIMITS.maxGlobsPerList, { error: (issue) => tooManyGlobsMessage(Array.isArray(issue.input) ? issue.input.length : Number.NaN) });

/**
 * What a viewer asks to see. `query` and `exclude` are RE2 patterns matched against each line;
 * an empty query matches every line. `hosts` and `files` are glob lists (any may match); absent or
 * empty means all. `namespaces`, `pods` and `containers` are glob lists over the Kubernetes labels
 * of a source's path (protocol/shared/pod-labels.ts); a source without labels matches none of them.
 */
export const filterSpecSchema = z.object({
  query: pattern,
  exclude: pattern.optional(),
  caseInsensitive: z.boolean().optional(),
  hosts: globList.optional(),
  files: globList.optional(),
  namespaces: globList.optional(),
  pods: globList.optional(),
  containers: globList.optional(),
});
export type FilterSpec = z.infer<typeof filterSpecSchema>;
