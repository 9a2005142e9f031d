import { describe, expect, it } from 'vitest';
import { FULL_READ_BYTES, MIN_SPACING_MS, ReadPacer } from '../../../../agent/tailing/read-pacer.js';

describe('ReadPacer', () => {
  it('lets a file that was not read recently be read at once', () => {
    const pacer = new ReadPacer(250, 0);
    expect(pacer.delayAfterChange({}, Number.NEGATIVE_INFINITY, 5)).toBe(0);
    const file = {};
    expect(pacer.delayAfterChange(file, 0, 100)).toBe(0);
  });

  it('spaces the reads of one busy file by 1 / readsPerSecond', () => {
    const pacer = new ReadPacer(250, 0);
    const file = {};
    // Read at 100; changed 1 ms later: the next read is due 4 ms after the last one.
    expect(pacer.delayAfterChange(file, 100, 101)).toBe(3);
  });

  it('spaces each file by busyFiles / readsPerSecond when many are busy, on a common grid', () => {
    const pacer = new ReadPacer(250, 0);
    const files = Array.from({ length: 20 }, () => ({}));
    for (const file of files) pacer.delayAfterChange(file, Number.NEGATIVE_INFINITY, 10);
    // 20 busy files at 250 reads/s: each is read every 80 ms, due times rounded up to multiples of 80.
    // Read at 30 to 49 ms: each is due at the first multiple of 80 at least 80 ms later, 160.
    const delays = files.map((file, index) => pacer.delayAfterChange(file, 30 + index, 31 + index));
    for (const [index, delay] of delays.entries()) {
      const due = 31 + index + delay;
      expect(due).toBeGreaterThanOrEqual(30 + index + 80);
      expect(due).toBeLessThan(30 + index + 160);
      expect(due % 80).toBe(0);
    }
    // Read together: files last read within one spacing of each other are all due at once.
    expect(new Set(delays.map((delay, index) => 31 + index + delay))).toEqual(new Set([160]));
  });

  it('keeps a file read a little after its grid point on that grid, not every other point', () => {
    const pacer = new ReadPacer(250, 0);
    const files = Array.from({ length: 20 }, () => ({}));
    for (const file of files) pacer.delayAfterChange(file, Number.NEGATIVE_INFINITY, 10);
    // The round due at 160 starts 1 ms late and reads its 20 files over 4 ms; they change at once.
    const dues = files.map((file, index) => 161 + index * 0.2 + 0.1 + pacer.delayAfterChange(file, 161 + index * 0.2, 161 + index * 0.2 + 0.1));
    expect(new Set(dues.map((due) => Math.round(due)))).toEqual(new Set([240]));
    // Read later than a quarter of the spacing after 160: too soon for 240, so at 320.
    const late = files[0] as object;
    expect(181 + pacer.delayAfterChange(late, 181, 181)).toBe(320);
  });

  it('reads a file that replaced a fast one at the pace of the one it replaced', () => {
    const pacer = new ReadPacer(100, 0);
    const old = {};
    // Written fast: a full read's worth every 2.5 ms, read every 2.5 ms.
    for (let at = 0; at <= 50; at += 2.5) {
      pacer.delayAfterChange(old, at - 2.5, at);
      pacer.recordRead(old, FULL_READ_BYTES, at);
    }
    const replacement = {};
    const stranger = {};
    pacer.inheritPace(replacement, old);
    // Both just read at 60 and changed at once: the stranger waits for the budget's spacing (two busy
    // files or more at 100 reads/s), the replacement only for the shortest spacing of a fast file.
    expect(pacer.delayAfterChange(stranger, 60, 60.5)).toBeGreaterThanOrEqual(19);
    expect(pacer.delayAfterChange(replacement, 60, 60.5)).toBeLessThanOrEqual(MIN_SPACING_MS * 2);
  });

  it('keeps the wider spacing for a whole window after files went quiet, then relaxes it', () => {
    const pacer = new ReadPacer(100, 0);
    const busy = Array.from({ length: 10 }, () => ({}));
    for (const file of busy) pacer.delayAfterChange(file, Number.NEGATIVE_INFINITY, 500);
    const one = busy[0] as object;
    // Next window: only one file changes, but the previous window had ten.
    expect(pacer.delayAfterChange(one, 1_000, 1_001)).toBe(99);
    // A window later with only that file: 10 ms spacing.
    expect(pacer.delayAfterChange(one, 2_100, 2_101)).toBe(9);
    // After a long quiet spell nothing is remembered.
    expect(pacer.delayAfterChange(one, 9_000, 9_001)).toBe(9);
  });

  it('forgets a closed file', () => {
    const pacer = new ReadPacer(100, 0);
    const a = {};
    const b = {};
    pacer.delayAfterChange(a, Number.NEGATIVE_INFINITY, 1);
    pacer.delayAfterChange(b, Number.NEGATIVE_INFINITY, 1);
    pacer.forget(b);
    expect(pacer.delayAfterChange(a, 10, 11)).toBe(9);
  });

  describe('a file written fast enough to fill reads', () => {
    /** Reads `file` every `everyMs` from `fromMs` to `toMs`, each finding `bytesPerMs * everyMs` new bytes. */
    function readSteadily(pacer: ReadPacer, file: object, bytesPerMs: number, everyMs: number, fromMs: number, toMs: number): void {
      for (let at = fromMs; at <= toMs; at += everyMs) pacer.recordRead(file, at === fromMs ? 0 : bytesPerMs * everyMs, at);
    }

    /** A pacer at 100 reads/s and one file read every 2 ms until 400 ms at 100,000 lines/s of 160 bytes (16 KiB in 1 ms). */
    function readFastUntil400(): { pacer: ReadPacer; file: object } {
      const pacer = new ReadPacer(100, 0);
      const file = {};
      readSteadily(pacer, file, 16_000, 2, 0, 400);
      return { pacer, file };
    }

    it('is read every FULL_READ_BYTES / its rate when that is sooner than the budget allows', () => {
      const pacer = new ReadPacer(100, 0);
      const files = Array.from({ length: 20 }, () => ({}));
      for (const file of files) pacer.delayAfterChange(file, Number.NEGATIVE_INFINITY, 1);
      const fast = files[0] as object;
      // 20 busy files at 100 reads/s: 200 ms apart. This one fills 16 KiB every 50 ms.
      readSteadily(pacer, fast, FULL_READ_BYTES / 50, 50, 0, 1_000);
      const delay = pacer.delayAfterChange(fast, 1_000, 1_001);
      expect(pacer.spacingMs).toBeCloseTo(50, 5);
      expect(1_001 + delay).toBeCloseTo(1_050, 5);
      // A slow neighbour keeps the budget's spacing.
      const slow = files[1] as object;
      readSteadily(pacer, slow, 10, 200, 0, 1_000);
      pacer.delayAfterChange(slow, 1_000, 1_001);
      expect(pacer.spacingMs).toBe(200);
    });

    it('is read on the budget’s grid halved, so that files of similar paces are read together', () => {
      const pacer = new ReadPacer(100, 0);
      const files = Array.from({ length: 20 }, () => ({}));
      for (const file of files) pacer.delayAfterChange(file, Number.NEGATIVE_INFINITY, 1);
      // 20 busy files: the budget's spacing is 200 ms. Each file fills 16 KiB every `paceMs`.
      const spacingFor = (file: object, paceMs: number): number => {
        readSteadily(pacer, file, FULL_READ_BYTES / paceMs, 20, 0, 1_000);
        pacer.delayAfterChange(file, 1_000, 1_001);
        return pacer.spacingMs;
      };
      expect(spacingFor(files[0] as object, 170)).toBe(200);
      expect(spacingFor(files[1] as object, 150)).toBe(200);
      expect(spacingFor(files[2] as object, 120)).toBe(100);
      expect(spacingFor(files[3] as object, 60)).toBe(50);
      // On grids of their own paces the 170 and 150 ms files would be due at 1,190 and 1,200, and
      // apart from then on; on the halved grids both are due at 1,200, a point the faster files'
      // grids (100 and 50 ms) share.
      const dueAt = (file: object): number => 1_001 + pacer.delayAfterChange(file, 1_000, 1_001);
      expect([dueAt(files[0] as object), dueAt(files[1] as object), dueAt(files[2] as object), dueAt(files[3] as object)]).toEqual([1_200, 1_200, 1_100, 1_050]);
    });

    it('reads a file at 50,000 lines/s of 100 bytes every 2.5 ms: 16 KiB every 3.3 ms, nearest the budget’s 10 ms halved twice', () => {
      const pacer = new ReadPacer(100, 0);
      const file = {};
      readSteadily(pacer, file, 5_000, 2.5, 0, 400);
      pacer.delayAfterChange(file, 400, 401);
      expect(pacer.spacingMs).toBe(2.5);
    });

    it('is never read more often than every MIN_SPACING_MS', () => {
      const { pacer, file } = readFastUntil400();
      expect(pacer.delayAfterChange(file, 400, 401)).toBe(MIN_SPACING_MS - 1);
      expect(pacer.spacingMs).toBe(MIN_SPACING_MS);
    });

    it('stays fast when a read right after another finds nothing', () => {
      const { pacer, file } = readFastUntil400();
      // The poll asks for a look 0.5 ms after a read: nothing new yet.
      pacer.recordRead(file, 0, 400.5);
      pacer.delayAfterChange(file, 400.5, 401);
      expect(pacer.spacingMs).toBe(MIN_SPACING_MS);
    });

    it('slows down to the budget once the file is written slowly again', () => {
      const { pacer, file } = readFastUntil400();
      // Then a line now and then: after a second of that the fast past no longer counts.
      readSteadily(pacer, file, 0.2, 10, 400, 1_400);
      pacer.delayAfterChange(file, 1_400, 1_401);
      expect(pacer.spacingMs).toBe(10);
    });

    it('knows the pace of a file one read after it started being written to, however long it was quiet', () => {
      const pacer = new ReadPacer(100, 0);
      const file = {};
      // Looked at by the poll every second while nothing was written, then written to.
      for (let at = 0; at <= 3_000; at += 1_000) pacer.recordRead(file, 0, at);
      pacer.recordRead(file, 40_000, 3_300);
      // Not known yet: the budget's spacing.
      expect(pacer.delayAfterChange(file, 3_300, 3_301)).toBe(9);
      // One read later: 16 KiB in 1 ms, so as often as MIN_SPACING_MS allows (the quiet seconds
      // before do not count).
      pacer.recordRead(file, 160_000, 3_310);
      pacer.delayAfterChange(file, 3_310, 3_311);
      expect(pacer.spacingMs).toBe(MIN_SPACING_MS);
    });

    it('forgets the pace of a file that went quiet, and of a closed one', () => {
      const pacer = new ReadPacer(100, 0);
      const quiet = readFastUntil400();
      // A read that finds nothing 100 ms or more after the last one: the pace is unknown again.
      quiet.pacer.recordRead(quiet.file, 0, 600);
      quiet.pacer.delayAfterChange(quiet.file, 600, 601);
      expect(quiet.pacer.spacingMs).toBe(10);

      const closed = {};
      readSteadily(pacer, closed, 8_000, 4, 0, 400);
      pacer.forget(closed);
      pacer.delayAfterChange(closed, 400, 401);
      expect(pacer.spacingMs).toBe(10);
    });
  });
});
