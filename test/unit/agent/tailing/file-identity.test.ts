import { writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileIdOf, fingerprintMatches, fingerprintOf, FINGERPRINT_MAX_BYTES, inodeKey, newGeneration, readHead } from '../../../../agent/tailing/file-identity.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

describe('file identity', () => {
  it('names a file generation by its inode in hex and its gen', () => {
    expect(fileIdOf({ ino: '255', gen: 'c0ffee00' })).toBe('ff.c0ffee00');
    // Inodes beyond 2^53 (XFS, btrfs) must not lose precision.
    expect(fileIdOf({ ino: '18446744073709551615', gen: 'a' })).toBe('ffffffffffffffff.a');
  });

  it('keys open files by device and inode, never by path', () => {
    expect(inodeKey({ dev: 2049n, ino: 77n })).toBe('2049:77');
    expect(inodeKey({ dev: '2049', ino: '77' })).toBe('2049:77');
  });

  it('makes a fresh random gen each time', () => {
    const gens = new Set(Array.from({ length: 50 }, () => newGeneration()));
    expect(gens.size).toBe(50);
    for (const gen of gens) expect(gen).toMatch(/^[0-9a-f]{8}$/);
  });

  it('fingerprints at most the first 256 bytes, recording how many', () => {
    const long = Buffer.alloc(1000, 'a');
    expect(fingerprintOf(long)).toEqual(fingerprintOf(long.subarray(0, FINGERPRINT_MAX_BYTES)));
    expect(fingerprintOf(Buffer.from('abc')).fingerprintLength).toBe(3);
  });

  it.each([
    { name: 'the same first bytes', known: 'first line\n', head: 'first line\n', same: true },
    { name: 'the file grew since (compared on the shorter length)', known: 'first', head: 'first line\nsecond line\n', same: true },
    { name: 'an empty fingerprint', known: '', head: 'anything', same: true },
    { name: 'other first bytes (inode reused or rewritten)', known: 'first line\n', head: 'other line\n', same: false },
    { name: 'the file is now shorter than its fingerprint (truncated)', known: 'first line\n', head: 'first', same: false },
  ])('matches a fingerprint against $name: $same', ({ known, head, same }) => {
    expect(fingerprintMatches(Buffer.from(head), fingerprintOf(Buffer.from(known)))).toBe(same);
  });

  describe('readHead', () => {
    let dir: string;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ dir, cleanup } = await makeTempDir('sg-identity-'));
    });
    afterEach(async () => {
      await cleanup();
    });

    it('reads up to the first 256 bytes of an open file', async () => {
      const file = join(dir, 'a.log');
      await writeFile(file, 'x'.repeat(300));
      const handle = await open(file, 'r');
      try {
        expect((await readHead(handle)).length).toBe(256);
        await writeFile(file, 'short');
        expect((await readHead(handle)).toString()).toBe('short');
      } finally {
        await handle.close();
      }
    });
  });
});
