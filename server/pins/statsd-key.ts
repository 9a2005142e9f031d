/** Characters kept in a metric path segment; everything else would be a separator or break the line protocol. */
const UNSAFE = /[^a-z0-9_-]+/g;

/**
 * The metric path segment for a pin's name: lower case, every run of other characters (space, dot,
 * slash, colon, pipe, @, #...) turned into one `_`, no `_` at either end. "Checkout errors (5xx)"
 * becomes "checkout_errors_5xx". Dots would create Graphite folders and `:|@#` are StatsD syntax.
 * Undefined when nothing is left (a name of only punctuation or emoji).
 */
export function sanitizeMetricSegment(name: string): string | undefined {
  const segment = name.toLowerCase().replace(UNSAFE, '_').replace(/^_+|_+$/g, '');
  return segment === '' ? undefined : segment;
}

/**
 * The StatsD name (before the configured prefix) of a pin's match counter:
 * `pin.<sanitized name>.matches`, or `pin.pin_<id>.matches` for a name with nothing sanitizable.
 */
export function pinStatName(name: string, id: string): string {
  return `pin.${sanitizeMetricSegment(name) ?? `pin_${id}`}.matches`;
}
