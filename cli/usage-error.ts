/** A problem with what the user typed or configured: reported in one line, exit code 2. */
export class UsageError extends Error {}
