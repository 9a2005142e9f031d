import { dirname, resolve } from 'node:path';
import { compileGlob, globLiteral, splitGlobBase } from '../../protocol/index.js';

/** Deepest a `**` pattern is walked and watched, so a symlink loop or a huge tree cannot run away. */
export const MAX_GLOBSTAR_DEPTH = 16;

/** One configured path or glob, resolved to what must be watched and how to recognise a match. */
export interface PathPattern {
  /** As configured, made absolute. */
  pattern: string;
  /** The static directory the pattern lives under: the one to watch and walk. */
  base: string;
  /** How many directory levels below `base` a match can be (0: directly in it). */
  depth: number;
  matches: (path: string) => boolean;
}

/**
 * chokidar (since v4) has no glob support, so each glob is split into its static base directory,
 * whose directories discovery.ts watches, and a glob (protocol/shared/glob.ts; wildcards skip names starting with `.`) that
 * filters what is found there. A plain file path watches its directory and matches only itself, so
 * its creation (or re-creation after rotation) is seen too. Throws GlobSyntaxError for an unclosed
 * `[` or `{`.
 */
export function parsePathPattern(configured: string, cwd = process.cwd()): PathPattern {
  const pattern = resolve(cwd, configured);
  const split = splitGlobBase(pattern);
  if (!split) {
    // A plain path, escapes read as in a glob (`app\[1\].log` is the file `app[1].log`).
    const path = globLiteral(pattern) ?? pattern;
    return { pattern, base: dirname(path), depth: 0, matches: (found) => found === path };
  }
  const glob = compileGlob(pattern, { dot: false });
  const depth = split.rest.includes('**') ? MAX_GLOBSTAR_DEPTH : split.rest.split('/').length - 1;
  return { pattern, base: split.base, depth, matches: (path) => glob.test(path) };
}
