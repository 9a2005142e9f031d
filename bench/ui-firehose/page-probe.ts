/**
 * What the firehose benchmark measures inside the page, the same way for the supergrep UI and for the
 * plain-list baseline. `installPageProbe` is handed to Playwright's addInitScript, which runs its
 * source text in the page before any of the page's own scripts: it must stay self-contained (no
 * imports, no outside variables) and uses only what Chromium has.
 *
 * The server tsconfig has no DOM library (it would change the types of the server's own timers and
 * events), so the few browser APIs used here are declared by hand in `ProbeGlobals`.
 */

/** One long main-thread task (PerformanceObserver 'longtask': over 50 ms). */
export interface LongTask {
  start: number;
  duration: number;
}

/** One key typed in a text box: from the key event's own timestamp to the frame that shows the character. */
interface KeyTiming {
  key: string;
  /** keydown handler start - event.timeStamp: how long the event waited for the main thread. */
  inputDelayMs: number;
  /** First animation frame after the `input` event - keydown's event.timeStamp. */
  keyToFrameMs: number | null;
}

/** An Event Timing entry of at least 16 ms (the smallest threshold Chromium reports). */
interface SlowEvent {
  name: string;
  durationMs: number;
  inputDelayMs: number;
}

export interface ProbeData {
  longTasks: LongTask[];
  /** requestAnimationFrame timestamps (ms on the page's clock). */
  frames: number[];
  keys: KeyTiming[];
  slowEvents: SlowEvent[];
  /** performance.now() when the data was read. */
  now: number;
}

export interface ProbeSample {
  now: number;
  frames: number;
  /** Elements in the document (attached ones only; CDP's Nodes also counts detached ones). */
  elements: number;
  /** How far the list is scrolled up from its bottom, in px (0: following the newest lines; -1: no list). */
  fromBottomPx: number;
}

interface ProbeEntry {
  name: string;
  startTime: number;
  duration: number;
  processingStart?: number;
}

interface ProbeEventTarget {
  addEventListener(type: string, listener: (event: ProbeEvent) => void, options?: { capture?: boolean }): void;
}

interface ProbeEvent {
  key?: string;
  timeStamp: number;
}

interface ProbeElement {
  scrollTop: number;
  scrollHeight: number;
  clientHeight: number;
}

interface ProbeGlobals extends ProbeEventTarget {
  __uiProbe?: { data: ProbeData; sample(listSelector: string): ProbeSample };
  performance: { now(): number };
  requestAnimationFrame(callback: (time: number) => void): number;
  PerformanceObserver: new (callback: (list: { getEntries(): ProbeEntry[] }) => void) => {
    observe(options: { type: string; buffered?: boolean; durationThreshold?: number }): void;
  };
  document: {
    getElementsByTagName(name: string): { length: number };
    querySelector(selector: string): ProbeElement | null;
  };
}

/** Runs in the page (through addInitScript): starts recording and exposes `window.__uiProbe`. */
export function installPageProbe(): void {
  const page = globalThis as unknown as ProbeGlobals;
  const data: ProbeData = { longTasks: [], frames: [], keys: [], slowEvents: [], now: 0 };

  new page.PerformanceObserver((list) => {
    for (const entry of list.getEntries()) data.longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });

  new page.PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      data.slowEvents.push({ name: entry.name, durationMs: entry.duration, inputDelayMs: (entry.processingStart ?? entry.startTime) - entry.startTime });
    }
  }).observe({ type: 'event', buffered: true, durationThreshold: 16 });

  // Every frame the page produces: gaps between them are what a user sees as jank.
  const onFrame = (time: number) => {
    data.frames.push(time);
    page.requestAnimationFrame(onFrame);
  };
  page.requestAnimationFrame(onFrame);

  // Capture phase on the window: runs before the page's own handlers, so their cost is not in the delay.
  let pending: KeyTiming & { timeStamp: number } | undefined;
  page.addEventListener(
    'keydown',
    (event) => {
      pending = { key: event.key ?? '', timeStamp: event.timeStamp, inputDelayMs: page.performance.now() - event.timeStamp, keyToFrameMs: null };
      data.keys.push(pending);
    },
    { capture: true },
  );
  page.addEventListener(
    'input',
    () => {
      const typed = pending;
      if (!typed) return;
      // now() inside the callback, not the frame's own time: that is the vsync, which may precede the event.
      page.requestAnimationFrame(() => {
        typed.keyToFrameMs = page.performance.now() - typed.timeStamp;
      });
    },
    { capture: true },
  );

  page.__uiProbe = {
    data,
    sample(listSelector) {
      const list = page.document.querySelector(listSelector);
      const fromBottomPx = list ? Math.max(0, list.scrollHeight - list.clientHeight - list.scrollTop) : -1;
      return { now: page.performance.now(), frames: data.frames.length, elements: page.document.getElementsByTagName('*').length, fromBottomPx };
    },
  };
}
