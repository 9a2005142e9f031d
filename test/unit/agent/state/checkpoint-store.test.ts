import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointStore, FORGET_AFTER_MS, type Checkpoint } from '../../../../agent/state/checkpoint-store.js';
import { captureLogger } from '../../../helpers/agent-harness.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';
import { waitFor } from '../../../helpers/wait.js';

const entry = (overrides: Partial<Checkpoint> = {}): Omit<Checkpoint, 'seenAt'> => ({
  path: '/var/log/app.log',
  dev: '2049',
  ino: '131077',
  fingerprint: 'a'.repeat(64),
  fingerprintLength: 256,
  gen: '0badf00d',
  offset: 1234,
  ...overrides,
});

describe('CheckpointStore', () => {
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-checkpoints-'));
  });
  afterEach(async () => {
    await cleanup();
  });

  it('writes what was set and reads it back in a new store', async () => {
    const file = join(dir, 'state', 'agent-state.json');
    const store = new CheckpointStore(file, captureLogger().logger);
    store.set(entry());
    await store.flush();
    const reloaded = new CheckpointStore(file, captureLogger().logger);
    await reloaded.load();
    expect(reloaded.get({ dev: '2049', ino: '131077' })).toMatchObject(entry());
    expect(reloaded.hasPath('/var/log/app.log')).toBe(true);
    expect(reloaded.hasPath('/var/log/other.log')).toBe(false);
  });

  it('keeps the journal cursor beside the files, and reads a state file from before journals', async () => {
    const file = join(dir, 'agent-state.json');
    await writeFile(file, JSON.stringify({ version: 1, files: [{ ...entry(), seenAt: Date.now() }] }));
    const store = new CheckpointStore(file, captureLogger().logger);
    await store.load();
    expect(store.getJournal('k')).toBeUndefined();
    store.setJournal({ key: 'k', fileId: 'j.1', cursor: 's=1;i=a', offset: 99 });
    await store.flush();
    const reloaded = new CheckpointStore(file, captureLogger().logger);
    await reloaded.load();
    expect(reloaded.getJournal('k')).toEqual({ key: 'k', fileId: 'j.1', cursor: 's=1;i=a', offset: 99 });
    expect(reloaded.get({ dev: '2049', ino: '131077' })).toMatchObject(entry());
  });

  it('replaces the file through a temporary file in the same directory and leaves none behind', async () => {
    const file = join(dir, 'agent-state.json');
    const store = new CheckpointStore(file, captureLogger().logger);
    await writeFile(file, JSON.stringify({ version: 1, files: [] }));
    store.set(entry({ offset: 1 }));
    await store.flush();
    store.set(entry({ offset: 2 }));
    await store.flush();
    // The state file and the copy of what the last write replaced; no temporary file.
    expect((await readdir(dir)).sort()).toEqual(['agent-state.json', 'agent-state.json.prev']);
    const state = JSON.parse(await readFile(file, 'utf8')) as { files: Checkpoint[] };
    expect(state.files.map((saved) => saved.offset)).toEqual([2]);
    const previous = JSON.parse(await readFile(`${file}.prev`, 'utf8')) as { files: Checkpoint[] };
    expect(previous.files.map((saved) => saved.offset)).toEqual([1]);
  });

  it('resumes from the previous copy when the state file is corrupted, and says so', async () => {
    const file = join(dir, 'agent-state.json');
    const store = new CheckpointStore(file, captureLogger().logger);
    store.set(entry({ offset: 100 }));
    await store.flush();
    store.set(entry({ offset: 200 }));
    await store.flush();
    await writeFile(file, '{"version":1,"files":[{"path":"/var/log/app.l');
    const { logger, records } = captureLogger();
    const reloaded = new CheckpointStore(file, logger);
    await reloaded.load();
    expect(reloaded.get({ dev: '2049', ino: '131077' })?.offset).toBe(100);
    expect(records.find((record) => record.msg?.includes('corrupted'))).toMatchObject({
      level: 40,
      msg: expect.stringContaining('previous copy'),
      movedTo: expect.stringMatching(/agent-state\.json\.corrupt-/),
    });
  });

  it('starts fresh when both the state file and its previous copy are unusable', async () => {
    const file = join(dir, 'agent-state.json');
    await writeFile(file, 'garbage');
    await writeFile(`${file}.prev`, '{"version":1');
    const { logger, records } = captureLogger();
    const store = new CheckpointStore(file, logger);
    await store.load();
    expect(store.size).toBe(0);
    expect(records.find((record) => record.msg?.includes('corrupted'))).toMatchObject({ msg: expect.stringContaining('starting fresh'), previousReason: expect.stringContaining('JSON') });
  });

  it('does not fall back to the previous copy when the state file was removed (a reset)', async () => {
    const file = join(dir, 'agent-state.json');
    const store = new CheckpointStore(file, captureLogger().logger);
    store.set(entry({ offset: 1 }));
    await store.flush();
    store.set(entry({ offset: 2 }));
    await store.flush();
    await rm(file);
    const reloaded = new CheckpointStore(file, captureLogger().logger);
    await reloaded.load();
    expect(reloaded.size).toBe(0);
  });

  it('removes temporary files left by a write that a crash interrupted', async () => {
    const file = join(dir, 'agent-state.json');
    await writeFile(join(dir, '.agent-state.json.tmp-4242-0a0b0c0d'), '{"version":1,"fi');
    await writeFile(join(dir, 'other.txt'), 'not ours');
    const store = new CheckpointStore(file, captureLogger().logger);
    await store.load();
    expect(await readdir(dir)).toEqual(['other.txt']);
  });

  it('does not write when nothing changed', async () => {
    const file = join(dir, 'agent-state.json');
    const store = new CheckpointStore(file, captureLogger().logger);
    store.set(entry());
    await store.flush();
    await rm(file);
    store.set(entry());
    await store.flush();
    expect(await readdir(dir)).toEqual([]);
  });

  const withEntry = (overrides: Partial<Checkpoint>): string => JSON.stringify({ version: 1, files: [{ ...entry(), seenAt: 1, ...overrides }] });
  it.each([
    { name: 'not JSON', text: '{"version":1,"files":[', reason: /^not valid JSON/ },
    { name: 'half written', text: JSON.stringify({ version: 1, files: [{ ...entry(), seenAt: 1 }] }).slice(0, 60), reason: /^not valid JSON/ },
    { name: 'the wrong shape', text: JSON.stringify({ version: 1, files: [{ path: 'x', offset: -1 }] }), reason: /^unexpected contents: .*offset/s },
    { name: 'another version', text: JSON.stringify({ version: 99, files: [] }), reason: /^unexpected contents/ },
    { name: 'a device number with a prefix', text: withEntry({ dev: 'x2049' }), reason: /^unexpected contents: .*dev/s },
    { name: 'a device number with a suffix', text: withEntry({ dev: '2049x' }), reason: /^unexpected contents: .*dev/s },
    { name: 'an inode number with a prefix', text: withEntry({ ino: '-131077' }), reason: /^unexpected contents: .*ino/s },
    { name: 'an inode number with a suffix', text: withEntry({ ino: '131077 ' }), reason: /^unexpected contents: .*ino/s },
    { name: 'a fingerprint with a prefix', text: withEntry({ fingerprint: `z${'a'.repeat(64)}` }), reason: /^unexpected contents: .*fingerprint/s },
    { name: 'a fingerprint with a suffix', text: withEntry({ fingerprint: `${'a'.repeat(64)}z` }), reason: /^unexpected contents: .*fingerprint/s },
  ])('sets aside a state file that is $name and starts fresh', async ({ text, reason }) => {
    const file = join(dir, 'agent-state.json');
    await writeFile(file, text);
    const { logger, records } = captureLogger();
    const store = new CheckpointStore(file, logger);
    await store.load();
    expect(store.size).toBe(0);
    const names = await readdir(dir);
    expect(names).toHaveLength(1);
    // Named after the time, in characters every file system takes (no ':').
    expect(names[0]).toMatch(/^agent-state\.json\.corrupt-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/);
    expect(await readFile(join(dir, names[0] as string), 'utf8')).toBe(text);
    const warning = records.find((record) => record.msg?.includes('corrupted'));
    expect(warning).toMatchObject({ level: 40, reason: expect.stringMatching(reason), previousReason: 'there is none' });
    // The store still works: the next flush writes a good file.
    store.set(entry());
    await store.flush();
    expect(store.errors).toBe(0);
  });

  it('reports an unwritable state directory, keeps the entries and retries on the next flush', async () => {
    const blocker = join(dir, 'not-a-dir');
    await writeFile(blocker, 'a file where the state directory should be');
    const file = join(blocker, 'agent-state.json');
    const { logger, records } = captureLogger();
    const store = new CheckpointStore(file, logger);
    store.set(entry());
    await store.flush();
    await store.flush();
    expect(store.errors).toBe(2);
    expect(records.filter((record) => record.level === 50 && record.msg?.includes('cannot write'))).toHaveLength(2);
    await rm(blocker);
    await mkdir(blocker);
    await store.flush();
    expect(store.errors).toBe(2);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ files: [entry()] });
    expect(records.find((record) => record.msg === 'agent state file written again')).toMatchObject({ level: 30, failedWrites: 2 });
    expect(records.find((record) => record.level === 50)).toMatchObject({ stateFile: file, failures: 1 });
    // Later good writes are nothing to report.
    const logged = records.length;
    store.set(entry({ offset: 99 }));
    await store.flush();
    expect(records.slice(logged).filter((record) => record.msg === 'agent state file written again')).toEqual([]);
  });

  it('forgets files gone for more than a day, but not open ones', async () => {
    let now = 1_000_000;
    const file = join(dir, 'agent-state.json');
    const open = new Set(['1:1']);
    const store = new CheckpointStore(file, captureLogger().logger, { now: () => now, isOpen: (key) => open.has(key) });
    store.set(entry({ dev: '1', ino: '1', path: '/open.log' }));
    store.set(entry({ dev: '1', ino: '2', path: '/gone.log' }));
    await store.flush();
    now += FORGET_AFTER_MS + 1;
    await store.flush();
    expect(store.get({ dev: '1', ino: '1' })).toBeDefined();
    expect(store.get({ dev: '1', ino: '2' })).toBeUndefined();
    const state = JSON.parse(await readFile(file, 'utf8')) as { files: Checkpoint[] };
    expect(state.files.map((saved) => saved.path)).toEqual(['/open.log']);
  });

  it('flushes on its interval while dirty, and once more on stop', async () => {
    const file = join(dir, 'agent-state.json');
    const store = new CheckpointStore(file, captureLogger().logger);
    store.start(20);
    store.set(entry({ offset: 10 }));
    await waitFor('the interval flush', async () => (await readFile(file, 'utf8').catch(() => '')).includes('"offset":10'), 5_000);
    store.set(entry({ offset: 20 }));
    await store.stop();
    expect(await readFile(file, 'utf8')).toContain('"offset":20');
  });
  it('loads a good state file in place, silently', async () => {
    const file = join(dir, 'agent-state.json');
    const store = new CheckpointStore(file, captureLogger().logger);
    store.set(entry());
    await store.flush();
    const { logger, records } = captureLogger();
    const reloaded = new CheckpointStore(file, logger);
    await reloaded.load();
    expect(reloaded.size).toBe(1);
    expect((await readdir(dir)).sort()).toEqual(['agent-state.json']);
    expect(records.filter((record) => (record.level ?? 0) >= 40)).toEqual([]);
  });

  it('writes nothing before anything was set', async () => {
    const file = join(dir, 'agent-state.json');
    const store = new CheckpointStore(file, captureLogger().logger);
    await store.load();
    await store.flush();
    expect(await readdir(dir)).toEqual([]);
  });

  it('starts without checkpoints, and says why, when the state file cannot be read; a missing one is no error', async () => {
    const missing = captureLogger();
    await new CheckpointStore(join(dir, 'absent.json'), missing.logger).load();
    expect(missing.records).toEqual([]);

    const file = join(dir, 'agent-state.json');
    await mkdir(file); // a directory: reading it fails with EISDIR
    const { logger, records } = captureLogger();
    const store = new CheckpointStore(file, logger);
    await store.load();
    expect(store.size).toBe(0);
    expect(records).toEqual([expect.objectContaining({ level: 50, stateFile: file, msg: expect.stringContaining('cannot read the agent state file') })]);
  });

  it.each([
    { changed: 'generation', overrides: { gen: 'f00dfeed' } },
    { changed: 'path', overrides: { path: '/var/log/renamed.log' } },
    { changed: 'fingerprint', overrides: { fingerprint: 'b'.repeat(64) } },
    { changed: 'offset', overrides: { offset: 4321 } },
  ])('writes again when only the $changed of a file changed', async ({ overrides }) => {
    const file = join(dir, 'agent-state.json');
    const store = new CheckpointStore(file, captureLogger().logger);
    store.set(entry());
    await store.flush();
    await rm(file);
    store.set(entry(overrides));
    await store.flush();
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ files: [entry(overrides)] });
  });

  it('keeps a file for a day after it was last seen, counting from when it was last open', async () => {
    let now = 1_000_000;
    const hour = 60 * 60 * 1000;
    const file = join(dir, 'agent-state.json');
    const open = new Set(['1:1']);
    const store = new CheckpointStore(file, captureLogger().logger, { now: () => now, isOpen: (key) => open.has(key) });
    store.set(entry({ dev: '1', ino: '1', path: '/was-open.log' }));
    store.set(entry({ dev: '1', ino: '2', path: '/closed.log' }));
    await store.flush();
    // Open for two days (flushed on the way), then closed.
    now += 24 * hour;
    await store.flush();
    now += 24 * hour;
    await store.flush();
    expect(store.get({ dev: '1', ino: '2' })).toBeUndefined();
    open.clear();
    now += 23 * hour;
    await store.flush();
    expect(store.get({ dev: '1', ino: '1' })).toBeDefined();
    now += hour; // exactly a day
    await store.flush();
    expect(store.get({ dev: '1', ino: '1' })).toBeDefined();
    now += 1;
    await store.flush();
    expect(store.get({ dev: '1', ino: '1' })).toBeUndefined();
  });

  it('flushes on every interval while dirty, not just the first', async () => {
    const file = join(dir, 'agent-state.json');
    const store = new CheckpointStore(file, captureLogger().logger);
    store.start(20);
    try {
      store.set(entry({ offset: 10 }));
      await waitFor('the first interval flush', async () => (await readFile(file, 'utf8').catch(() => '')).includes('"offset":10'), 5_000);
      store.set(entry({ offset: 20 }));
      await waitFor('a later interval flush', async () => (await readFile(file, 'utf8').catch(() => '')).includes('"offset":20'), 5_000);
    } finally {
      await store.stop();
    }
  });

  it('warns about a stale temporary file it cannot remove, and loads anyway', async () => {
    const file = join(dir, 'agent-state.json');
    const stuck = join(dir, '.agent-state.json.tmp-4242-0a0b0c0d');
    await mkdir(stuck); // a directory: unlink fails
    const { logger, records } = captureLogger();
    const store = new CheckpointStore(file, logger);
    await store.load();
    expect(records).toEqual([expect.objectContaining({ level: 40, file: stuck, msg: expect.stringContaining('cannot remove a stale temporary state file') })]);
  });

  describe('notes of newly followed files (setVisible)', () => {
    const key = { dev: '2049', ino: '131077' };

    it('makes a checkpoint readable by a store loaded after a kill, before any write of the state file', async () => {
      const file = join(dir, 'agent-state.json');
      const store = new CheckpointStore(file, captureLogger().logger);
      await store.load();
      await store.setVisible(entry({ offset: 0, gen: 'feedf00d' }));
      // No flush: the agent is killed here.
      expect(await readdir(dir)).toEqual(['agent-state.json.new-files']);
      const { logger, records } = captureLogger('info');
      const restarted = new CheckpointStore(file, logger);
      await restarted.load();
      expect(restarted.get(key)).toMatchObject({ offset: 0, gen: 'feedf00d' });
      expect(records).toEqual([expect.objectContaining({ files: 1, msg: expect.stringContaining('notes file') })]);
      // Its first write holds the note, which then goes.
      await restarted.flush();
      expect(await readdir(dir)).toEqual(['agent-state.json']);
    });

    it('removes the notes once the state file holds them, and keeps a note taken during that write', async () => {
      const file = join(dir, 'agent-state.json');
      const store = new CheckpointStore(file, captureLogger().logger);
      await store.setVisible(entry({ ino: '1', gen: 'aaaaaaaa' }));
      const writing = store.flush();
      // A turn of the event loop: the write has taken its snapshot and waits on the file system. Set
      // now, the checkpoint is held by the notes alone.
      await new Promise((resolve) => setImmediate(resolve));
      const noted = store.setVisible(entry({ ino: '2', gen: 'bbbbbbbb' }));
      await Promise.all([writing, noted]);
      expect(JSON.parse(await readFile(file, 'utf8')).files).toHaveLength(1);
      const restarted = new CheckpointStore(file, captureLogger().logger);
      await restarted.load();
      expect(restarted.get({ dev: '2049', ino: '1' })).toMatchObject({ gen: 'aaaaaaaa' });
      expect(restarted.get({ dev: '2049', ino: '2' })).toMatchObject({ gen: 'bbbbbbbb' });
      await store.flush();
      expect((await readdir(dir)).sort()).toEqual(['agent-state.json', 'agent-state.json.prev']);
    });

    it('applies a note only over a state written before it, and skips a torn line', async () => {
      const file = join(dir, 'agent-state.json');
      const state = (serial: number) => JSON.stringify({ version: 1, serial, files: [{ ...entry({ offset: 500 }), seenAt: Date.now() }] });
      const note = (after: number, gen: string) => `${JSON.stringify({ ...entry({ offset: 0, gen }), seenAt: Date.now(), after })}\n`;
      await writeFile(`${file}.new-files`, `${note(2, 'c0ffee00')}{"path":"/var/log/app`);
      // The state written as number 3 was taken after the note (after 2): it is the newer.
      await writeFile(file, state(3));
      const newer = new CheckpointStore(file, captureLogger().logger);
      await newer.load();
      expect(newer.get(key)).toMatchObject({ offset: 500, gen: '0badf00d' });
      // The state written as number 2 was taken before it: the note is the newer.
      await writeFile(file, state(2));
      const older = new CheckpointStore(file, captureLogger().logger);
      await older.load();
      expect(older.get(key)).toMatchObject({ offset: 0, gen: 'c0ffee00' });
    });

    it('writes the state file instead when the note cannot be appended', async () => {
      const file = join(dir, 'agent-state.json');
      // A directory where the notes file should be: appending to it fails.
      await mkdir(`${file}.new-files`);
      const { logger, records } = captureLogger('warn');
      const store = new CheckpointStore(file, logger);
      await store.setVisible(entry({ gen: 'deadbeef' }));
      expect(records).toEqual([expect.objectContaining({ level: 40, msg: expect.stringContaining('cannot note') })]);
      const restarted = new CheckpointStore(file, captureLogger().logger);
      await restarted.load();
      expect(restarted.get(key)).toMatchObject({ gen: 'deadbeef' });
    });
  });
});
