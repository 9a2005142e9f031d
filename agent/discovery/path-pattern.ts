import { dirname, resolve } from 'node:path';
import picomatch from 'picomatch';

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
 * chokidar (since v4) has no glob support, so each glob is split into its static base directory, which
 * is watched, and a picomatch matcher that filters what is found there. A plain file path watches its
 * directory and matches only itself, so its creation (or re-creation after rotation) is seen too.
 */
export function parsePathPattern(configured: string, cwd = process.cwd()): PathPattern {
  const pattern = resolve(cwd, configured);
  const scan = picomatch.scan(pattern);
  if (!scan.isGlob) return { pattern, base: dirname(pattern), depth: 0, matches: (path) => path === pattern };
  const depth = scan.glob.includes('**') ? MAX_GLOBSTAR_DEPTH : scan.glob.split('/').length - 1;
  return { pattern, base: scan.base, depth, matches: picomatch(pattern) };
}
