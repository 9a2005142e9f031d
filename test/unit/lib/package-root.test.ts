import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { supergrepPackage } from '../../../lib/package-root.js';

describe('supergrepPackage', () => {
  it('finds the checkout from the source tree: its package.json, version and dist/ folder', () => {
    const found = supergrepPackage();
    expect(found).toBeDefined();
    const manifest = JSON.parse(readFileSync(join(found!.root, 'package.json'), 'utf8')) as { name: string; version: string };
    expect(manifest.name).toBe('supergrep');
    expect(found!.version).toBe(manifest.version);
    expect(existsSync(join(found!.root, 'cli', 'main.ts'))).toBe(true);
  });
});
