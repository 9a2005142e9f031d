import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * The package version, sent in the hello. The manifest is one folder up from agent/ in the source
 * tree and two from dist/agent/ once built, so both places are tried.
 */
function readVersion(): string {
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      const manifest = require(candidate) as { name?: string; version?: string };
      if (manifest.name === 'supergrep' && typeof manifest.version === 'string') return manifest.version.slice(0, 64);
    } catch {
      // No manifest at this level; try the next one.
    }
  }
  return '0.0.0';
}

export const AGENT_VERSION = readVersion();
