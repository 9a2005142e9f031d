import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PackageInfo {
  /** The checkout's (or installed package's) folder: package.json, dist/, ... */
  root: string;
  version: string;
}

let cached: PackageInfo | null | undefined;

/**
 * The supergrep package this code runs from. The same module runs from the TypeScript source
 * (tests), from tsc's output in dist/<folder>/ and from the bundle in dist/bundle/ (one chunk or
 * another), so no fixed relative path works: walk up from here to the nearest package.json named
 * "supergrep". Undefined only if the code was copied out of its package.
 */
export function supergrepPackage(): PackageInfo | undefined {
  if (cached !== undefined) return cached ?? undefined;
  cached = null;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = readManifest(join(dir, 'package.json'));
    if (manifest?.name === 'supergrep') {
      cached = { root: dir, version: typeof manifest.version === 'string' ? manifest.version : '0.0.0' };
      break;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return cached ?? undefined;
}

function readManifest(path: string): { name?: unknown; version?: unknown } | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown; version?: unknown };
  } catch {
    return undefined; // None here (or unreadable): keep walking up.
  }
}
