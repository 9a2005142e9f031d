/**
 * Benchmark 7: the web UI under a firehose (issue 3, "Performance"). Debian's Chromium, driven by
 * playwright-core, opens the built UI served by a real hub; one simulated agent sends 20,000 lines/s
 * for 30 s, all matching the pane's filter. In the page: long tasks, frame rate, the delay of typing
 * in the filter box, that scrolling up moves the view, the JS heap and DOM size over time. Baseline:
 * the same stream into a plain, non-virtualized list (ui-firehose/plain-list-page.ts) in the same
 * browser, bounded to the same 50,000 lines, ended early if the tab stalls.
 */
import { median, round } from './lib/stats.js';
import { ResultBuilder, type BenchResult } from './lib/results.js';
import { makeTempDir } from './lib/temp-dir.js';
import { FEED_MS, LINES_PER_SEC, QUERY, runFirehose, type RunOutcome } from './ui-firehose/firehose-run.js';
import { framesBetween, framesPerSecond, longestFrameGap, summarizeLongTasks } from './ui-firehose/frame-stats.js';
import { MAX_LINES, plainList, supergrepUi } from './ui-firehose/pages-under-test.js';

/** Heap and DOM figures leave out the first seconds, while the buffer is still filling. */
const STEADY_FROM_SEC = 10;

/** Every figure of one run, in the units the result table shows. */
function summarize(run: RunOutcome) {
  const from = run.pageStart;
  const to = run.pageStart + run.feedSeconds * 1000;
  const frames = run.probe?.frames ?? [];
  const fps = framesPerSecond(frames, from, to);
  const tasks = summarizeLongTasks(run.probe?.longTasks ?? [], from, to);
  const keys = (run.probe?.keys ?? []).filter((key) => key.keyToFrameMs !== null);
  const steady = run.samples.filter((s) => s.t >= STEADY_FROM_SEC);
  const heap = run.samples.map((s) => s.jsHeapMb);
  const last = run.samples[run.samples.length - 1]!;
  const scrollFrames = run.scroll ? framesBetween(frames, run.scroll.pageFrom, run.scroll.pageTo) : 0;
  return {
    stalledAtSec: run.stalledAtSec,
    longTasks: tasks,
    medianFps: fps.length > 0 ? median(fps) : 0,
    minFps: fps.length > 0 ? Math.min(...fps) : 0,
    longestFrameGapMs: frames.length > 0 ? longestFrameGap(frames, from, to) : run.feedSeconds * 1000,
    keyToFrameMaxMs: keys.length > 0 ? Math.max(...keys.map((key) => key.keyToFrameMs!)) : undefined,
    keyToFrameMedianMs: keys.length > 0 ? median(keys.map((key) => key.keyToFrameMs!)) : undefined,
    keyInputDelayMaxMs: keys.length > 0 ? Math.max(...keys.map((key) => key.inputDelayMs)) : undefined,
    keysSeen: keys.length,
    slowestEventMs: Math.max(0, ...(run.probe?.slowEvents ?? []).map((event) => event.durationMs)),
    scrollMovedPx: run.scroll?.fromBottomAfterPx,
    pausedByScroll: run.scroll?.paused,
    scrollFps: run.scroll ? scrollFrames / ((run.scroll.pageTo - run.scroll.pageFrom) / 1000) : undefined,
    peakHeapMb: Math.max(...heap),
    endHeapMb: last.jsHeapMb,
    steadyHeapGrowthMb: steady.length > 1 ? steady[steady.length - 1]!.jsHeapMb - steady[0]!.jsHeapMb : undefined,
    peakElements: Math.max(...run.samples.map((s) => s.elements)),
    endElements: last.elements,
    peakCdpNodes: Math.max(...run.samples.map((s) => s.cdpNodes)),
    deliveredPerSec: (run.hub.matched - run.hub.dropped) / run.feedSeconds,
    droppedByHub: run.hub.dropped,
  };
}

export async function runUiFirehose(): Promise<BenchResult> {
  const result = new ResultBuilder('ui-firehose');
  const temp = makeTempDir('uifirehose');
  try {
    const ours = await runFirehose(supergrepUi, temp.dir);
    const plain = await runFirehose(plainList, temp.dir);
    const a = summarize(ours);
    const b = summarize(plain);
    const base = (value: number | undefined) => (value === undefined ? undefined : { name: 'plain list', value });
    const stallNote = b.stalledAtSec === undefined ? undefined : `the plain list left a request unanswered for 8 s; its run ended ${round(b.stalledAtSec, 1)} s into the feed and its figures cover that part`;

    result.lowerIsBetter('longest main-thread task', a.longTasks.maxMs, 'ms', base(b.longTasks.maxMs), stallNote);
    result.lowerIsBetter('long tasks over 100 ms', a.longTasks.over100ms, 'tasks', base(b.longTasks.over100ms));
    result.lowerIsBetter('long tasks (over 50 ms)', a.longTasks.count, 'tasks', base(b.longTasks.count));
    result.lowerIsBetter('blocking time (long tasks beyond 50 ms)', a.longTasks.blockingMs, 'ms', base(b.longTasks.blockingMs));
    result.higherIsBetter('frame rate, median of 1 s windows', a.medianFps, 'fps', base(b.medianFps));
    result.higherIsBetter('frame rate, slowest 1 s window', a.minFps, 'fps', base(b.minFps));
    result.lowerIsBetter('longest gap between frames', a.longestFrameGapMs, 'ms', base(b.longestFrameGapMs));
    if (a.keyToFrameMaxMs !== undefined) {
      result.lowerIsBetter('typing: keydown to next frame, max', a.keyToFrameMaxMs, 'ms', base(b.keyToFrameMaxMs), `${a.keysSeen} keys typed in the filter box, one every 120 ms`);
      result.lowerIsBetter('typing: keydown to next frame, median', a.keyToFrameMedianMs!, 'ms', base(b.keyToFrameMedianMs));
      result.lowerIsBetter('typing: input delay (event wait), max', a.keyInputDelayMaxMs!, 'ms', base(b.keyInputDelayMaxMs));
    }
    if (a.scrollMovedPx !== undefined) {
      result.higherIsBetter('scroll up: view above the bottom 2 s later', a.scrollMovedPx, 'px', base(b.scrollMovedPx), 'three 400 px wheel steps up during the stream; 0 = the view went back to (or never left) the newest lines. The plain list keeps appending below a scrolled-up view, so its distance also grows with what arrived');
      result.higherIsBetter('frame rate while scrolling', a.scrollFps!, 'fps', base(b.scrollFps));
    }
    result.lowerIsBetter('JS heap, peak', a.peakHeapMb, 'MB', base(b.peakHeapMb));
    if (a.steadyHeapGrowthMb !== undefined) result.lowerIsBetter(`JS heap growth from ${STEADY_FROM_SEC} s to the end`, a.steadyHeapGrowthMb, 'MB', base(b.steadyHeapGrowthMb));
    result.lowerIsBetter('DOM elements, peak', a.peakElements, 'elements', base(b.peakElements));
    result.lowerIsBetter('DOM nodes (CDP, incl. detached), peak', a.peakCdpNodes, 'nodes', base(b.peakCdpNodes));
    result.higherIsBetter('lines delivered to the page', a.deliveredPerSec, 'lines/s', base(b.deliveredPerSec), `offered: ${LINES_PER_SEC} lines/s, all matching`);
    result.lowerIsBetter('lines the hub dropped for a slow page', a.droppedByHub, 'lines', base(b.droppedByHub));

    result.target('longest main-thread task (ms)', a.longTasks.maxMs, 100, true);
    if (a.keyToFrameMaxMs !== undefined) result.target('typing: keydown to next frame, max (ms)', a.keyToFrameMaxMs, 100, true);
    result.target('scroll up moves the view (px above the bottom)', a.scrollMovedPx ?? 0, 1, false);
    result.target('frame rate while scrolling (fps)', a.scrollFps ?? 0, 30, false);
    // Bounded, not small: 50,000 held lines with their per-line analysis are tens of MB by design.
    result.target('JS heap, peak (MB)', a.peakHeapMb, 200, true);
    result.target('DOM elements, peak', a.peakElements, 2_000, true);

    result.details.setup = { linesPerSec: LINES_PER_SEC, feedMs: FEED_MS, query: QUERY, maxLines: MAX_LINES, viewport: '1280x720', browser: '/usr/bin/chromium --headless --disable-gpu' };
    result.details.supergrepUi = { summary: a, samples: ours.samples, longTasks: ours.probe?.longTasks, keys: ours.probe?.keys, slowEvents: ours.probe?.slowEvents, scroll: ours.scroll, hub: ours.hub, typingWallMs: ours.typingWallMs };
    result.details.plainList = { summary: b, samples: plain.samples, longTasks: plain.probe?.longTasks, keys: plain.probe?.keys, slowEvents: plain.probe?.slowEvents, scroll: plain.scroll, hub: plain.hub, stallReason: plain.stallReason, typingWallMs: plain.typingWallMs };
    return result.finish();
  } finally {
    temp.remove();
  }
}
