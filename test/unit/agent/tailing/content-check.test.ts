import { open, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkContents } from '../../../../agent/tailing/content-check.js';
import { fingerprintOf } from '../../../../agent/tailing/file-identity.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

describe('checkContents', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let file: string;
  let handle: FileHandle;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-content-'));
    file = join(dir, 'app.log');
    await writeFile(file, 'first line\nsecond line\n');
    handle = await open(file, 'r');
  });
  afterEach(async () => {
    await handle.close();
    await cleanup();
  });

  it('finds the same contents', async () => {
    expect(await checkContents(handle, fingerprintOf(Buffer.from('first line\nsecond line\n')), 23)).toEqual({ kind: 'same' });
  });

  it('widens a fingerprint taken while the file was short', async () => {
    const check = await checkContents(handle, fingerprintOf(Buffer.from('first')));
    expect(check).toEqual({ kind: 'widened', fingerprint: fingerprintOf(Buffer.from('first line\nsecond line\n')) });
  });

  it('reports a file that shrank below the read offset', async () => {
    await truncate(file, 5);
    expect(await checkContents(handle, fingerprintOf(Buffer.from('first')), 23)).toMatchObject({ kind: 'replaced', size: 5, reason: expect.stringContaining('shrank') });
  });

  it('reports changed bytes before the read offset that the fingerprint does not cover', async () => {
    // A state file written while the file was empty, a hub resume point at 11: nothing vouches for
    // the first 11 bytes, and the caller found them changed.
    expect(await checkContents(handle, fingerprintOf(Buffer.alloc(0)), 11)).toMatchObject({
      kind: 'replaced',
      reason: expect.stringContaining('beyond what the fingerprint covers'),
    });
    // Covered by the fingerprint: the same file, whatever made the caller doubt.
    expect(await checkContents(handle, fingerprintOf(Buffer.from('first line\n')), 11)).toEqual({
      kind: 'widened',
      fingerprint: fingerprintOf(Buffer.from('first line\nsecond line\n')),
    });
  });

  it('reports a file rewritten past the read offset by its first bytes', async () => {
    await writeFile(file, 'other contents, longer than before\n');
    expect(await checkContents(handle, fingerprintOf(Buffer.from('first line\nsecond line\n')), 23)).toMatchObject({
      kind: 'replaced',
      reason: expect.stringContaining('first bytes'),
    });
  });
});
