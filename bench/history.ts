/**
 * The history store (issue 19): what it costs at ingest, on disk, and how fast it is searched.
 *
 * - Ingest: live latency as live-latency.ts measures it (writer, real agent and hub, a viewer on the
 *   errors query) at 50,000 lines/s, with history on and with `history: false` (`--no-history`),
 *   taking turns (off, on, on, off, off, on) in one run; p99 and hub CPU (process CPU / wall time)
 *   of each side, the median of its three runs. The history-on runs' bytes on disk are reported
 *   against the lines the writer wrote (stamped dataset lines, not the demo's).
 * - Disk and search: a history filled in this process with HistoryStore (as the hub's ingest path
 *   appends: 32 KiB batches per source, event times, a tick per second of lines) from the demo's
 *   lines (lib/log-generator.ts as `supergrep demo` writes them: two hosts, access and app logs, 2%
 *   errors) timed as if written at 50,000 lines/s, the same raw lines written to four files beside
 *   it. Disk: segments + WAL + the SQLite database after the store is closed (every block sealed),
 *   against the raw bytes. Then a real hub is started on that data directory and GET /api/search
 *   is timed to its first match, and GET /api/search/histogram (a full scan of the range) against
 *   `LC_ALL=C grep -E -c` over the raw files, both on one core. The issue's 45M lines (15 min) and
 *   one-hour histogram (180M lines) do not fit the bench's time on this machine: the fill is
 *   FILL_LINES lines, figures are per line, and the one-hour histogram is extrapolated from the
 *   measured scan rate.
 */
import { closeSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { eventTimeOf } from '../lib/event-time/event-time.js';
import { LogGenerator } from '../lib/log-generator.js';
import type { BatchRef } from '../server/filter/batch-lines.js';
import { HistoryStore } from '../server/history/history-store.js';
import { openDatabase } from '../server/storage/database.js';
import { shellQuote, timeShell } from './lib/baseline.js';
import { historyBytes } from './lib/history-files.js';
import { processUsage } from './lib/proc-usage.js';
import { startHub, type BenchHub } from './lib/processes.js';
import { ResultBuilder, type BenchResult } from './lib/results.js';
import { median, round } from './lib/stats.js';
import { makeTempDir } from './lib/temp-dir.js';
import { measureSupergrep } from './live-latency.js';

const INGEST_RATE = 50_000;
/** History off and on taking turns, so a drift of the machine's load falls on both; the median of each side is reported. */
const INGEST_TURNS: Array<'off' | 'on'> = ['off', 'on', 'on', 'off', 'off', 'on'];
/** Lines of the filled history; SUPERGREP_BENCH_HISTORY_LINES overrides (45000000 for the issue's 15 minutes). */
const FILL_LINES = Number(process.env.SUPERGREP_BENCH_HISTORY_LINES ?? 4_000_000);
/** Lines per second the filled history's times are spaced at (both hosts together). */
const FILL_RATE = 50_000;
const HOSTS = ['web-1', 'web-2'];
/** `supergrep demo`'s share of errors (cli/demo-runner.ts). */
const ERROR_RATE = 0.02;
/** Distinct lines generated per source; later ones repeat them with their own time (the generator is slow). */
const POOL_LINES = 50_000;
/** Bytes of one appended batch, about what the agent sends per read at this rate. */
const BATCH_BYTES = 32 * 1024;
/** Matches about 1% of the demo's lines (checked against grep's count in the run). */
const SEARCH_PATTERN = 'status=50[234]';
const RUNS = 3;
const HOUR_LINES = 3600 * FILL_RATE;
const TARGETS = { p99Ratio: 1.2, cpuPoints: 15, diskRatio: 0.25, firstResultMs: 500, scanToGrep: 3, hourHistogramSec: 10 };

interface IngestSide {
  p99Ms: number[];
  hubCpuPercent: number[];
  lost: number[];
  /** CPU of everything outside the benchmark during the measured seconds (noise, not supergrep). */
  outsideCpuPercent: number[];
}

async function measureIngest(dir: string): Promise<{ off: IngestSide; on: IngestSide; disk: { raw: number; stored: number } }> {
  const side = (): IngestSide => ({ p99Ms: [], hubCpuPercent: [], lost: [], outsideCpuPercent: [] });
  const sides = { off: side(), on: side() };
  const disk = { raw: 0, stored: 0 };
  for (const [index, turn] of INGEST_TURNS.entries()) {
    const runDir = join(dir, `ingest-${index}-${turn}`);
    mkdirSync(runDir);
    const run = await measureSupergrep(runDir, INGEST_RATE, 'agent', undefined, turn === 'off' ? { history: false } : undefined);
    sides[turn].p99Ms.push(run.p99Ms);
    sides[turn].hubCpuPercent.push(run.hubCpuPercent);
    sides[turn].lost.push(run.lost);
    sides[turn].outsideCpuPercent.push(run.outsideCpuPercent);
    console.log(`  ingest run ${index + 1}, history ${turn}: p99 ${run.p99Ms.toFixed(2)} ms, hub CPU ${run.hubCpuPercent.toFixed(1)}%, lost ${run.lost}, other processes ${run.outsideCpuPercent.toFixed(0)}% of a core`);
    if (turn === 'on') {
      disk.raw += statSync(join(runDir, `live-agent-${INGEST_RATE}.log`)).size;
      disk.stored += historyBytes(join(runDir, `hub-agent-${INGEST_RATE}`)).total;
    }
  }
  return { ...sides, disk };
}

interface Filled {
  files: string[];
  lines: number;
  rawBytes: number;
  from: number;
  to: number;
  fillSec: number;
}

/** The demo's lines of one source, as templates: the text before and after the line's time (none: `at` is -1). */
interface Template {
  text: string;
  at: number;
}

const ISO_LENGTH = '2026-12-07T10:00:00.000Z'.length;

function templatesOf(lines: readonly string[]): Template[] {
  return lines.map((text) => {
    const at = /^\d{4}-\d\d-\d\dT/.test(text) ? 0 : text.startsWith('{"ts":"') ? 7 : -1;
    return { text, at };
  });
}

function render(template: Template, iso: string): string {
  return template.at < 0 ? template.text : template.text.slice(0, template.at) + iso + template.text.slice(template.at + ISO_LENGTH);
}

/**
 * Fills `<dataDir>/history` through HistoryStore with FILL_LINES demo lines in four sources, and
 * writes the same lines to four raw files under `rawDir`.
 */
async function fillHistory(dataDir: string, rawDir: string, start: number): Promise<Filled> {
  const begun = performance.now();
  const db = openDatabase(dataDir);
  const store = new HistoryStore({ dir: join(dataDir, 'history'), db, maxBytes: 64 * 1024 ** 3, maxAgeMs: 7 * 24 * 3_600_000, eventTimeOf, timer: false });
  const msPerEvent = 1000 / (FILL_RATE / HOSTS.length);
  const sources = HOSTS.flatMap((host, index) => {
    const generator = new LogGenerator(host, index + 1, ERROR_RATE);
    const access: string[] = [];
    const app: string[] = [];
    for (let i = 0; access.length + app.length < POOL_LINES; i += 1) {
      const now = new Date(start + i * msPerEvent);
      if (i % 3 === 2) app.push(...generator.appLines(now));
      else access.push(generator.accessLine(now));
    }
    return [
      { host, file: '/var/log/access.log', pool: templatesOf(access) },
      { host, file: '/var/log/app.log', pool: templatesOf(app) },
    ].map(({ host: name, file, pool }) => {
      const { num, pos } = store.sourceFor(name, file);
      const raw = join(rawDir, `${name}-${file.split('/').pop()}`);
      return { ref: { num, host: name, file, idPrefix: `${store.hubId}-${num}-` }, pos, pool, next: 0, text: '', lastTs: 0, fd: openSync(raw, 'w'), raw };
    });
  });
  let lines = 0;
  let rawBytes = 0;
  let nextTick = 1000;
  const flush = (source: (typeof sources)[number]) => {
    if (source.text === '') return;
    const body = Buffer.from(source.text, 'utf8');
    const batch: BatchRef = { body, firstPos: source.pos, ts: source.lastTs, truncated: undefined };
    store.append(source.ref, batch);
    writeSync(source.fd, body);
    source.pos += body.length;
    rawBytes += body.length;
    source.text = '';
  };
  let time = start;
  for (let event = 0; lines < FILL_LINES; event += 1) {
    time = start + event * msPerEvent;
    const iso = new Date(time).toISOString();
    for (let host = 0; host < HOSTS.length; host += 1) {
      // Every third event of a host is an application event (one line, or an error's stack trace).
      const source = sources[host * 2 + (event % 3 === 2 ? 1 : 0)]!;
      let template = source.pool[source.next % source.pool.length]!;
      source.next += 1;
      // A stack trace's lines follow their error line: take them with it.
      do {
        source.text += `${render(template, iso)}\n`;
        lines += 1;
        template = source.pool[source.next % source.pool.length]!;
        if (template.at >= 0) break;
        source.next += 1;
      } while (source.text.length < BATCH_BYTES * 4);
      source.lastTs = Math.floor(time);
      if (source.text.length >= BATCH_BYTES) flush(source);
    }
    if (time - start >= nextTick) {
      // The hub's store ticks once a second: fdatasync of the WAL, sealing by age, dropping sealed WAL files
      // (its syncs run on the thread pool: waited for, or no WAL file would be deleted during the fill).
      await store.tick();
      nextTick += 1000;
    }
  }
  for (const source of sources) {
    flush(source);
    closeSync(source.fd);
  }
  store.close();
  db.close();
  return { files: sources.map((source) => source.raw), lines, rawBytes, from: start, to: Math.ceil(time), fillSec: (performance.now() - begun) / 1000 };
}

/** Wall ms to the first match record and to the end of a search's NDJSON stream, and the matches. */
async function timeSearch(url: string): Promise<{ firstMs: number; totalMs: number; matches: number }> {
  const began = performance.now();
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
  let firstMs = Number.NaN;
  let matches = 0;
  let tail = '';
  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    const text = tail + decoder.decode(chunk.value, { stream: true });
    const cut = text.lastIndexOf('\n');
    tail = text.slice(cut + 1);
    for (const line of text.slice(0, cut + 1).split('\n')) {
      if (!line.startsWith('{"type":"match"')) continue;
      if (matches === 0) firstMs = performance.now() - began;
      matches += 1;
    }
  }
  return { firstMs, totalMs: performance.now() - began, matches };
}

/** A full histogram of the range: wall time, the hub's CPU seconds for it, and the total count. */
async function timeHistogram(hub: BenchHub, query: string): Promise<{ wallSec: number; cpuSec: number; count: number }> {
  const cpuBefore = processUsage(hub.child.pid)!.cpuSeconds;
  const began = performance.now();
  const response = await fetch(`${hub.url}/api/search/histogram?${query}`);
  const body = (await response.json()) as { buckets?: Array<{ count: number }>; partial?: boolean; message?: string };
  const wallSec = (performance.now() - began) / 1000;
  const cpuSec = processUsage(hub.child.pid)!.cpuSeconds - cpuBefore;
  if (!response.ok || !body.buckets) throw new Error(`histogram: HTTP ${response.status} ${JSON.stringify(body)}`);
  return { wallSec, cpuSec, count: body.buckets.reduce((sum, bucket) => sum + bucket.count, 0) };
}

export async function runHistory(): Promise<BenchResult> {
  const result = new ResultBuilder('history');
  const temp = makeTempDir('history');
  let hub: BenchHub | undefined;
  try {
    // Ingest cost, history on against off.
    const ingest = await measureIngest(temp.dir);
    const p99 = { on: median(ingest.on.p99Ms), off: median(ingest.off.p99Ms) };
    const cpu = { on: median(ingest.on.hubCpuPercent), off: median(ingest.off.hubCpuPercent) };
    const label = `${INGEST_RATE / 1000}k lines/s`;
    const runs = (values: number[]) => `runs ${values.map((value) => round(value, 3)).join(', ')}`;
    result.lowerIsBetter(`${label}: live p99, history on`, p99.on, 'ms', { name: 'history off', value: p99.off }, `on: ${runs(ingest.on.p99Ms)}; off: ${runs(ingest.off.p99Ms)}`);
    result.lowerIsBetter(`${label}: hub CPU, history on`, cpu.on, '% of a core', { name: 'history off', value: cpu.off }, `on: ${runs(ingest.on.hubCpuPercent)}; off: ${runs(ingest.off.hubCpuPercent)}`);
    const lostOn = ingest.on.lost.reduce((a, b) => a + b, 0);
    const lostOff = ingest.off.lost.reduce((a, b) => a + b, 0);
    result.lowerIsBetter(`${label}: matches lost, history on`, lostOn, 'lines', { name: 'history off', value: lostOff });
    result.lowerIsBetter(`${label}: CPU of other processes during the runs`, median([...ingest.on.outsideCpuPercent, ...ingest.off.outsideCpuPercent]), '% of a core', undefined,
      `not a figure of supergrep (see live-latency); on: ${runs(ingest.on.outsideCpuPercent)}; off: ${runs(ingest.off.outsideCpuPercent)}`);
    result.lowerIsBetter(`${label}: history on disk / lines written (stamped dataset lines)`, ingest.disk.stored / ingest.disk.raw, 'x', undefined,
      `${ingest.disk.stored} of ${ingest.disk.raw} bytes; lines carry a µs write stamp and a sequence-free dataset line (lib/dataset.ts)`);
    result.target(`live p99 at ${label}, history on / off`, p99.on / p99.off, TARGETS.p99Ratio, true);
    result.target(`hub CPU at ${label}, history on minus off (points)`, cpu.on - cpu.off, TARGETS.cpuPoints, true);
    result.details.ingest = ingest;

    // Fill a history from the demo's lines, in this process.
    const dataDir = join(temp.dir, 'filled');
    const rawDir = join(temp.dir, 'raw');
    mkdirSync(rawDir, { recursive: true });
    const spanMs = (FILL_LINES / FILL_RATE) * 1000;
    const filled = await fillHistory(dataDir, rawDir, Date.now() - spanMs - 60_000);
    const disk = historyBytes(dataDir);
    const lineBytes = filled.rawBytes / filled.lines;
    console.log(`  filled ${filled.lines} lines (${(filled.rawBytes / 1e6).toFixed(0)} MB raw, ${lineBytes.toFixed(0)} bytes/line) in ${filled.fillSec.toFixed(1)} s; on disk ${(disk.total / 1e6).toFixed(1)} MB`);
    result.lowerIsBetter('disk: history on disk / raw bytes (demo lines)', disk.total / filled.rawBytes, 'x', undefined,
      `segments ${disk.segments}, WAL ${disk.wal}, SQLite ${disk.index} bytes for ${filled.rawBytes} raw bytes (${filled.lines} lines); ${round((disk.total / filled.lines) * FILL_RATE * 86400 / 1e9, 3)} GB per day at ${FILL_RATE} lines/s`);
    result.target('disk: history bytes / raw bytes of the demo\u2019s lines', disk.total / filled.rawBytes, TARGETS.diskRatio, true);
    result.higherIsBetter('fill: HistoryStore.append in this process (generation included)', filled.lines / filled.fillSec, 'lines/s', undefined, 'how the searched history was made; not a target');

    // grep over the raw files: one core (grep is single-threaded), page-cached (just written).
    const grepCommand = `grep -E -c ${shellQuote(SEARCH_PATTERN)} ${filled.files.map(shellQuote).join(' ')}`;
    const grepRuns = [];
    for (let run = 0; run < RUNS; run += 1) grepRuns.push(await timeShell(grepCommand, { LC_ALL: 'C' }));
    const grepCount = grepRuns[0]!.stdout.trim().split('\n').reduce((sum, line) => sum + Number(line.split(':').pop()), 0);
    const grepCpuSec = median(grepRuns.map((run) => run.cpuSec));

    // A real hub on the filled data directory.
    hub = await startHub(dataDir);
    const range = `q=${encodeURIComponent(SEARCH_PATTERN)}&from=${filled.from}&to=${filled.to}`;
    const firstDesc = [];
    const firstAsc = [];
    for (let run = 0; run < RUNS; run += 1) {
      firstDesc.push(await timeSearch(`${hub.url}/api/search?${range}&order=desc&limit=1000`));
      firstAsc.push(await timeSearch(`${hub.url}/api/search?${range}&order=asc&limit=1000`));
    }
    const step = `${Math.max(1, Math.ceil(spanMs / 1000 / 100))}s`;
    const scans = [];
    for (let run = 0; run < RUNS; run += 1) scans.push(await timeHistogram(hub, `${range}&step=${step}`));
    const scanCpuSec = median(scans.map((scan) => scan.cpuSec));
    const scanWallSec = median(scans.map((scan) => scan.wallSec));
    const share = `${grepCount} of ${filled.lines} lines (${((100 * grepCount) / filled.lines).toFixed(2)}%) match ${SEARCH_PATTERN}`;
    const firstMs = median(firstDesc.map((run) => run.firstMs));
    result.lowerIsBetter('search: first result, newest first (order=desc)', firstMs, 'ms', undefined,
      `GET /api/search limit 1000 over ${filled.lines} lines; whole page ${round(median(firstDesc.map((run) => run.totalMs)), 3)} ms`);
    result.lowerIsBetter('search: first result, oldest first (order=asc)', median(firstAsc.map((run) => run.firstMs)), 'ms', undefined,
      `whole page ${round(median(firstAsc.map((run) => run.totalMs)), 3)} ms`);
    result.lowerIsBetter('search: full scan (histogram of the range), hub CPU', scanCpuSec, 's', { name: 'LC_ALL=C grep -E -c, CPU', value: grepCpuSec },
      `wall ${round(scanWallSec, 3)} s (grep ${round(median(grepRuns.map((run) => run.wallSec)), 3)} s); ${share}${scans[0]!.count === grepCount ? '' : `; the histogram counted ${scans[0]!.count}`}`);
    const linesPerCoreSec = filled.lines / scanCpuSec;
    result.higherIsBetter('search: scan rate', linesPerCoreSec, 'lines/s/core', { name: 'LC_ALL=C grep -E -c', value: filled.lines / grepCpuSec });
    const hourSec = HOUR_LINES / (filled.lines / scanWallSec);
    result.lowerIsBetter(`histogram of one hour at ${FILL_RATE} lines/s (${HOUR_LINES / 1e6}M lines), extrapolated`, hourSec, 's', undefined,
      `from the measured scan of ${filled.lines} lines in ${round(scanWallSec, 3)} s wall; from its CPU time ${round(HOUR_LINES / linesPerCoreSec, 3)} s; grep -c on one core: ${round((HOUR_LINES / filled.lines) * grepCpuSec, 3)} s`);
    result.target('search: first result (ms)', firstMs, TARGETS.firstResultMs, true);
    result.target('search: full scan CPU / grep CPU', scanCpuSec / grepCpuSec, TARGETS.scanToGrep, true);
    result.target(`histogram of one hour at ${FILL_RATE} lines/s, extrapolated (s)`, hourSec, TARGETS.hourHistogramSec, true);
    result.details.fill = { ...filled, files: filled.files.length, lineBytes, disk, pattern: SEARCH_PATTERN, grepCount, poolLinesPerSource: POOL_LINES, batchBytes: BATCH_BYTES };
    result.details.search = { firstDesc, firstAsc, scans, step, grep: grepRuns.map((run) => ({ cpuSec: run.cpuSec, wallSec: run.wallSec })) };
    return result.finish();
  } finally {
    await hub?.child.stop();
    temp.remove();
  }
}
