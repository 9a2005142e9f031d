/**
 * Runs a callback once before a paint. Incoming lines are collected and committed to the stores at
 * most once per animation frame, and no sooner than `minIntervalMs` after the previous commit: at
 * 20,000 lines per second every visible row is new at each commit, so each commit rebuilds a
 * screenful of rows; ten to twenty such rebuilds a second still read as live while leaving the
 * main thread room for input and garbage collection.
 * Browsers stop animation frames in background tabs; the timeout keeps batches (and memory) flowing
 * there, at the tab's throttled timer rate.
 */
export interface FrameScheduler {
  /** Schedules `callback`; returns a function that cancels it. */
  request(callback: () => void, minIntervalMs: number): () => void;
}

const HIDDEN_TAB_FALLBACK_MS = 250;

let lastRun = Number.NEGATIVE_INFINITY;

export const animationFrameScheduler: FrameScheduler = {
  request(callback, minIntervalMs) {
    let done = false;
    let frame: number | undefined;
    const run = () => {
      if (done) return;
      done = true;
      if (frame !== undefined) cancelAnimationFrame(frame);
      clearTimeout(fallback);
      lastRun = performance.now();
      callback();
    };
    const wait = Math.max(0, lastRun + minIntervalMs - performance.now());
    const delay = wait > 0 ? setTimeout(() => (frame = requestAnimationFrame(run)), wait) : undefined;
    if (delay === undefined) frame = requestAnimationFrame(run);
    // Only a hidden tab commits from the timer. A visible one waits for its frame even when frames
    // are late (a busy main thread): a commit outside a frame could run after the browser scrolled
    // for a wheel but before the page saw that wheel, and follow the newest line over the user.
    let fallback: ReturnType<typeof setTimeout>;
    const runIfHidden = () => {
      if (document.visibilityState === 'hidden') run();
      else fallback = setTimeout(runIfHidden, HIDDEN_TAB_FALLBACK_MS);
    };
    fallback = setTimeout(runIfHidden, wait + HIDDEN_TAB_FALLBACK_MS);
    return () => {
      done = true;
      clearTimeout(delay);
      if (frame !== undefined) cancelAnimationFrame(frame);
      clearTimeout(fallback);
    };
  },
};
