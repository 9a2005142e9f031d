import { existsSync, readdirSync, writeFileSync } from 'node:fs';

/** Where Debian's libfaketime (package `faketime`) puts its preload library, on any architecture. */
function findLibrary(): string {
  const candidates = ['/usr/lib/faketime/libfaketimeMT.so.1'];
  for (const name of readdirSync('/usr/lib')) candidates.push(`/usr/lib/${name}/faketime/libfaketimeMT.so.1`);
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error('libfaketime is not installed: apt-get install faketime (.ci/run installs it)');
  return found;
}

/**
 * A wall clock that a test can step for one process, with libfaketime: the process is started with
 * `env()`, and `set('+2h')` or `set('-1h')` moves its wall clock (Date.now) that far from the real
 * time at once, the way an NTP step or an operator would. The monotonic clock (timers,
 * performance.now) is left alone, as a real clock step leaves it.
 */
export class FakeClock {
  constructor(private readonly file: string) {
    this.set('+0');
  }

  /** An offset from the real time in libfaketime's syntax: "+0", "+2h", "-1d", "-30m". */
  set(offset: string): void {
    writeFileSync(this.file, `${offset}\n`);
  }

  /**
   * How long after set() to wait before counting on the new offset. The file is read on every clock
   * call (FAKETIME_NO_CACHE: libfaketime's cache expires by the faked clock, so after a backward
   * step it would keep the old offset for as long as the step), so this only covers a call in flight.
   */
  get settleMs(): number {
    return 100;
  }

  env(): NodeJS.ProcessEnv {
    return {
      LD_PRELOAD: findLibrary(),
      FAKETIME_TIMESTAMP_FILE: this.file,
      FAKETIME_NO_CACHE: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    };
  }
}
