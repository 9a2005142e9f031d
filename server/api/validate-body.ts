import type { z } from 'zod';
import { ApiFailure } from './api-failure.js';

/** Issues listed in one error message; the rest are summarized as a count. */
const MAX_ISSUES = 5;

function pathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? 'body' : out;
}

function reason(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // "Invalid input" alone does not say what would have been accepted; list each alternative.
    const alternatives = issue.errors.map((branch) => branch.map((inner) => inner.message).join(', '));
    return `none of the accepted forms: ${alternatives.map((text) => `(${text})`).join(' or ')}`;
  }
  return issue.message;
}

/** "label: Too small: ...; lines[3].ts: Invalid input: expected number, received string" */
function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, MAX_ISSUES).map((issue) => `${pathOf(issue.path)}: ${reason(issue)}`);
  if (issues.length > MAX_ISSUES) shown.push(`and ${issues.length - MAX_ISSUES} more problems`);
  return shown.join('; ');
}

/**
 * Validates a parsed JSON body against a protocol schema. Throws a 400 SG_ERR_BAD_REQUEST naming
 * each offending field and why. An absent body usually means a missing content-type header.
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiFailure(400, 'SG_ERR_BAD_REQUEST', 'body: expected a JSON object (with content-type: application/json)');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ApiFailure(400, 'SG_ERR_BAD_REQUEST', describeIssues(parsed.error.issues));
  return parsed.data;
}
