import { existsSync, watch, type FSWatcher } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/**
 * What the kernel said about a followed file: `changed` (written to, truncated, its attributes or
 * link count changed) or `moved` (renamed, or the watch ended because the file is gone).
 */
export type ChangeKind = 'changed' | 'moved';

export interface ChangeWatcher {
  close(): void;
}

/**
 * Linux names every open descriptor under /proc/self/fd. Watching that name puts the inotify watch
 * on the file we hold open, not on whatever the path points at by the time the watch is set up (the
 * path may have been rotated to another file in between). Elsewhere the path is the best we have.
 */
const PROC_FD_DIR = '/proc/self/fd';
const hasProcFd = existsSync(PROC_FD_DIR);

/**
 * Tells `onChange` when the kernel reports a change to the open file (inotify on Linux, through
 * fs.watch). Only a hint: it may come late, in bursts, or never (network file systems, the inotify
 * watch limit reached), which is why the registry's poll still looks at every file now and then.
 * Undefined when no watch could be set up; the poll alone then notices the file's growth.
 *
 * One watch per open file, closed with the file: an inotify watch keeps a kernel object per file
 * (and counts against fs.inotify.max_user_watches), so a rotated-away file must not keep one.
 */
export function watchChanges(handle: FileHandle, path: string, onChange: (kind: ChangeKind) => void, onError: (error: Error) => void): ChangeWatcher | undefined {
  return guardedWatch(hasProcFd ? `${PROC_FD_DIR}/${handle.fd}` : path, (event) => onChange(event === 'rename' ? 'moved' : 'changed'), onError);
}

/**
 * Tells `onEvent` the name of each entry of `dir` that the kernel says was written to (`changed`),
 * created, renamed or removed (`moved`); an undefined name: events were lost, look at everything.
 * One inotify watch for the directory, which is how closed files are noticed when they change (see
 * FileRegistry). Undefined when no watch could be set up; the registry then polls those files.
 */
export function watchDirectory(dir: string, onEvent: (kind: ChangeKind, name: string | undefined) => void, onError: (error: Error) => void): ChangeWatcher | undefined {
  return guardedWatch(dir, (event, name) => onEvent(event === 'rename' ? 'moved' : 'changed', name ?? undefined), onError);
}

/**
 * fs.watch with `persistent: false` (a watch alone never keeps the process alive), undefined when it
 * cannot be set up. After an error (the watched path is gone, the watch was dropped) no more events
 * come: the watch is closed and the caller's poll carries on alone.
 */
function guardedWatch(target: string, listener: (event: string, name: string | null) => void, onError: (error: Error) => void): ChangeWatcher | undefined {
  let watcher: FSWatcher;
  try {
    watcher = watch(target, { persistent: false }, listener);
  } catch (error) {
    onError(error as Error);
    return undefined;
  }
  watcher.on('error', (error) => {
    watcher.close();
    onError(error);
  });
  return watcher;
}
