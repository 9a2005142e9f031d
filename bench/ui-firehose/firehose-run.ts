import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, errors, type Browser, type CDPSession, type Page } from 'playwright-core';
import { startHub, startWorker, type Child } from '../lib/processes.js';
import { readHubCounters, type HubCounters } from './hub-counters.js';
import { installPageProbe, type ProbeData, type ProbeSample } from './page-probe.js';
import type { PageUnderTest } from './pages-under-test.js';
import { PageStalled, sleep, withTimeout } from './time-limits.js';

/** Debian's Chromium; the benchmark never downloads a browser. */
const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export const LINES_PER_SEC = 20_000;
export const FEED_MS = 30_000;
/** One simulated agent sending 200-line batches every 10 ms: 20,000 lines/s. */
const LINES_PER_BATCH = 200;
const BATCH_INTERVAL_MS = 10;
/** Matches every line the data set has (stack-trace lines start with spaces) and marks its first word. */
export const QUERY = '^\\s*\\S+';
/** Typed at the end of the filter box: every prefix keeps the pattern matching every line. */
const TYPED = '|zzzz';
const KEY_INTERVAL_MS = 120;
const TYPE_AT_MS = 8_000;
const SCROLL_AT_MS = 15_000;
/** How long the scroll test watches the view after the wheel, before going back to live. */
const SCROLL_WATCH_MS = 2_000;
const SAMPLE_EVERY_MS = 1_000;
/**
 * Opt-in: a file to write a CPU profile of the supergrep UI's run to (Chrome's .cpuprofile format,
 * opens in the DevTools Performance panel). Profiling slows the page; figures from such a run are not comparable.
 */
const PROFILE_PATH = process.env.SUPERGREP_UI_PROFILE;
/** Sampling interval of that profile, in microseconds. */
const PROFILE_INTERVAL_US = 500;
/** A page that does not answer a sample for this long is declared stalled and its run ends. */
const STALL_MS = 8_000;

interface RunSample extends ProbeSample {
  /** Since the feeder started, on the benchmark's clock. */
  t: number;
  jsHeapMb: number;
  /** CDP's count of DOM nodes, detached ones not yet collected included. */
  cdpNodes: number;
}

interface ScrollCheck {
  fromBottomBeforePx: number;
  /** Measured SCROLL_WATCH_MS after the wheel: above 0 means the view moved up and stayed there. */
  fromBottomAfterPx: number;
  /** Page clock: when the wheel started and when the watch ended (for frame counts). */
  pageFrom: number;
  pageTo: number;
  /** The page showed itself paused (the UI's "N new lines" button) when the watch ended. */
  paused?: boolean;
}

export interface RunOutcome {
  page: string;
  samples: RunSample[];
  probe: ProbeData | undefined;
  /** Page clock when the feeder started and when the run ended. */
  pageStart: number;
  pageEnd: number;
  scroll: ScrollCheck | undefined;
  /** Wall time the two typing and scrolling actions took through the browser (ms). */
  typingWallMs: number | undefined;
  /** Seconds into the feed when the page stopped answering, when it did. */
  stalledAtSec: number | undefined;
  stallReason: string | undefined;
  hub: HubCounters;
  feedSeconds: number;
}

interface Session {
  page: Page;
  cdp: CDPSession;
  target: PageUnderTest;
}

async function sample(session: Session, t: number): Promise<RunSample> {
  const probe = await withTimeout(
    session.page.evaluate((selector) => (globalThis as unknown as { __uiProbe: { sample(s: string): ProbeSample } }).__uiProbe.sample(selector), session.target.listSelector),
    STALL_MS,
    'page sample',
  );
  const { metrics } = await withTimeout(session.cdp.send('Performance.getMetrics'), STALL_MS, 'CDP Performance.getMetrics');
  const metric = (name: string) => metrics.find((entry) => entry.name === name)?.value ?? 0;
  return { ...probe, t, jsHeapMb: metric('JSHeapUsedSize') / 1024 / 1024, cdpNodes: metric('Nodes') };
}

/** Types TYPED at the end of the filter box, one key every KEY_INTERVAL_MS, as a person would. */
async function typeInFilter(session: Session): Promise<void> {
  const input = session.page.getByLabel('Filter pattern', { exact: true });
  await input.click({ timeout: STALL_MS });
  await session.page.keyboard.press('End');
  await withTimeout(session.page.keyboard.type(TYPED, { delay: KEY_INTERVAL_MS }), STALL_MS, 'typing');
}

/** Wheels up over the list and checks, after SCROLL_WATCH_MS, that the view is still up there. */
async function scrollUp(session: Session, before: RunSample): Promise<ScrollCheck> {
  const box = await withTimeout(session.page.locator(session.target.listSelector).boundingBox(), STALL_MS, 'list position');
  if (!box) throw new Error(`${session.target.name}: the list is not visible`);
  await session.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const pageFrom = (await withTimeout(session.page.evaluate(() => performance.now()), STALL_MS, 'page clock'));
  for (let i = 0; i < 3; i += 1) {
    await withTimeout(session.page.mouse.wheel(0, -400), STALL_MS, 'wheel');
    await sleep(100);
  }
  await sleep(SCROLL_WATCH_MS - 300);
  const after = await sample(session, before.t);
  return { fromBottomBeforePx: before.fromBottomPx, fromBottomAfterPx: after.fromBottomPx, pageFrom, pageTo: after.now };
}

/**
 * One run: a fresh hub and browser, `target` opened and subscribed, then FEED_MS of the firehose from
 * a simulated agent, with a sample every second, typing at TYPE_AT_MS and a scroll at SCROLL_AT_MS.
 * A page that stops answering ends the run early (the outcome says when).
 */
export async function runFirehose(target: PageUnderTest, dataDir: string): Promise<RunOutcome> {
  let hubWsUrl = '';
  const pageServer = await target.serve?.(() => hubWsUrl, QUERY);
  const hub = await startHub(join(dataDir, `hub-${target.name.replace(/\W+/g, '-')}`), pageServer ? { config: { allowedOrigins: [pageServer.origin] } } : {}).catch(async (error: unknown) => {
    await pageServer?.close();
    throw error;
  });
  hubWsUrl = hub.wsUrl;
  let browser: Browser | undefined;
  let feeder: Child | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 60_000 });
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, timezoneId: 'UTC', locale: 'en-US' });
    const page = await context.newPage();
    await page.addInitScript(installPageProbe);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const session: Session = { page, cdp, target };
    await target.open(page, pageServer?.origin ?? hub.url, QUERY);

    // Only the page the hub serves (the supergrep UI); the baseline serves its own.
    const profiling = PROFILE_PATH !== undefined && target.serve === undefined;
    if (profiling) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: PROFILE_INTERVAL_US });
      await cdp.send('Profiler.start');
    }
    const samples: RunSample[] = [];
    const first = await sample(session, 0);
    const started = performance.now();
    feeder = startWorker('ui-feeder', 'simulated-agents.js', {
      hub: hub.wsUrl,
      first: 0,
      count: 1,
      linesPerBatch: LINES_PER_BATCH,
      intervalMs: BATCH_INTERVAL_MS,
      durationMs: FEED_MS,
      maxUnacked: 100,
      seed: 5,
    });
    samples.push(first);
    const elapsed = () => performance.now() - started;
    let typed = false;
    let scroll: ScrollCheck | undefined;
    let typingWallMs: number | undefined;
    let stalledAtSec: number | undefined;
    let stallReason: string | undefined;
    try {
      while (elapsed() < FEED_MS) {
        await sleep(Math.max(0, SAMPLE_EVERY_MS - (elapsed() % SAMPLE_EVERY_MS)));
        samples.push(await sample(session, elapsed() / 1000));
        if (!typed && elapsed() >= TYPE_AT_MS) {
          typed = true;
          const before = performance.now();
          await typeInFilter(session);
          typingWallMs = performance.now() - before;
        }
        if (!scroll && elapsed() >= SCROLL_AT_MS) {
          scroll = await scrollUp(session, samples[samples.length - 1]!);
          scroll.paused = await target.resume(page);
        }
      }
    } catch (error) {
      // Playwright's own timeouts (a click the page never acts on) mean the same as ours.
      if (!(error instanceof PageStalled || error instanceof errors.TimeoutError)) throw error;
      stalledAtSec = elapsed() / 1000;
      stallReason = error.message;
    }
    const feedSeconds = Math.min(elapsed(), FEED_MS) / 1000;
    await feeder.stop(2_000);
    if (profiling) {
      const { profile } = await withTimeout(cdp.send('Profiler.stop'), 30_000, 'CPU profile');
      await writeFile(PROFILE_PATH!, JSON.stringify(profile));
      console.log(`   CPU profile of the ${target.name} run: ${PROFILE_PATH}`);
    }
    // Read even after a stall: with the feed stopped, a stalled tab may catch up and answer.
    const probe = await withTimeout(
      page.evaluate(() => {
        const data = (globalThis as unknown as { __uiProbe: { data: ProbeData } }).__uiProbe.data;
        return { ...data, now: performance.now() };
      }),
      stalledAtSec === undefined ? STALL_MS : 15_000,
      'probe data',
    ).catch(() => undefined);
    const pageEnd = probe?.now ?? samples[samples.length - 1]!.now;
    return {
      page: target.name,
      samples,
      probe,
      pageStart: first.now,
      pageEnd,
      scroll,
      typingWallMs,
      stalledAtSec,
      stallReason,
      hub: await readHubCounters(hub.url),
      feedSeconds,
    };
  } finally {
    await feeder?.stop(2_000);
    // A stalled tab may not close politely; the browser process goes with it either way.
    if (browser) await withTimeout(browser.close(), 15_000, 'closing the browser').catch(() => undefined);
    await hub.child.stop();
    await pageServer?.close();
  }
}
