/**
 * A value made on first use, for fixtures a test file would otherwise build while it is collected:
 * if making it throws, the tests that use it fail (an error during collection runs no test at all,
 * which mutation testing cannot tell from a pass).
 */
export function lazy<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
