import type { LongTask } from './page-probe.js';

/** Frames per second in each whole second of [from, to) (page clock, ms). */
export function framesPerSecond(frames: readonly number[], from: number, to: number): number[] {
  const seconds = Math.max(0, Math.floor((to - from) / 1000));
  const counts = new Array<number>(seconds).fill(0);
  for (const time of frames) {
    const second = Math.floor((time - from) / 1000);
    if (second >= 0 && second < seconds) counts[second]! += 1;
  }
  return counts;
}

/** The longest time between two consecutive frames within [from, to): what a user sees as a freeze. */
export function longestFrameGap(frames: readonly number[], from: number, to: number): number {
  let longest = 0;
  let previous: number | undefined;
  for (const time of frames) {
    if (time < from) continue;
    if (time >= to) break;
    if (previous !== undefined) longest = Math.max(longest, time - previous);
    previous = time;
  }
  // A page that stopped producing frames before `to` was frozen until then.
  if (previous !== undefined) longest = Math.max(longest, to - previous);
  return longest;
}

export function framesBetween(frames: readonly number[], from: number, to: number): number {
  return frames.filter((time) => time >= from && time < to).length;
}

export interface LongTaskSummary {
  count: number;
  over100ms: number;
  maxMs: number;
  /** Main-thread time spent in long tasks beyond their first 50 ms (the "blocking time"). */
  blockingMs: number;
}

export function summarizeLongTasks(tasks: readonly LongTask[], from: number, to: number): LongTaskSummary {
  const inWindow = tasks.filter((task) => task.start >= from && task.start < to);
  return {
    count: inWindow.length,
    over100ms: inWindow.filter((task) => task.duration > 100).length,
    maxMs: Math.max(0, ...inWindow.map((task) => task.duration)),
    blockingMs: inWindow.reduce((sum, task) => sum + Math.max(0, task.duration - 50), 0),
  };
}
