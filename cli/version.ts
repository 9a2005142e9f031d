import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// dist/cli/version.js and cli/version.ts both sit two levels below package.json's folder... almost:
// the compiled file is one level deeper, so look the manifest up from both places.
function readVersion(): string {
  for (const candidate of ['../../package.json', '../package.json']) {
    try {
      const manifest = require(candidate) as { name?: string; version?: string };
      if (manifest.name === 'supergrep' && manifest.version) return manifest.version;
    } catch {
      // Not at this level; try the next candidate.
    }
  }
  return '0.0.0';
}

export const VERSION = readVersion();
