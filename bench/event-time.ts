/**
 * What reading each line's own time costs (lib/event-time/): eventTimeOf over every line of
 * `supergrep demo` output (two hosts, lib/log-generator.ts with a 2% error rate: ISO-prefixed access
 * and application lines, JSON lines), in 512 KiB bodies as the hub holds them, and over lines of the
 * other formats it reads (common log format, syslog, JSON with the time last, epoch) and lines
 * stating no time. Single thread, in this process; the figure is the best of a few passes.
 */
import { eventTimeOf } from '../lib/event-time/event-time.js';
import { LogGenerator } from '../lib/log-generator.js';
import { ResultBuilder, type BenchResult } from './lib/results.js';

const EVENTS_PER_HOST = 100_000;
const HOSTS = ['web-1', 'web-2'];
const ERROR_RATE = 0.02;
const BATCH_BYTES = 512 * 1024;
const PASSES = 5;
/** Lines per second one hub takes in (issue 19's ingest target): the share of one core this costs at that rate is reported. */
const INGEST_LINES_PER_SEC = 50_000;
const START_MS = Date.UTC(2026, 11, 7, 12, 0, 0);
const NEWLINE = 0x0a;

function demoLines(): string[] {
  const generators = HOSTS.map((host, index) => new LogGenerator(host, index + 1, ERROR_RATE));
  const lines: string[] = [];
  let ms = START_MS;
  for (let event = 0; event < EVENTS_PER_HOST; event += 1) {
    ms += 3;
    const now = new Date(ms);
    for (const generator of generators) lines.push(...(event % 3 === 2 ? generator.appLines(now) : [generator.accessLine(now)]));
  }
  return lines;
}

/** The other formats, and lines with no time, cycled to the same count as the demo's lines. */
function otherLines(count: number): string[] {
  const forms = [
    (i: number) => `10.0.0.${i % 250} - - [07/Dec/2026:12:${String(i % 60).padStart(2, '0')}:02 +0000] "GET /listing/${i} HTTP/1.1" 200 ${i % 9000}`,
    (i: number) => `Dec  7 12:00:${String(i % 60).padStart(2, '0')} web-1 sshd[${i}]: Accepted publickey for deploy from 10.0.0.1`,
    (i: number) => JSON.stringify({ level: 'info', msg: 'request served', path: `/listing/${i}`, took_ms: i % 900, nested: { a: [1, 2, { b: 'c' }] }, time: new Date(START_MS + i).toISOString() }),
    (i: number) => `${Math.floor(START_MS / 1000) + (i % 3600)} job=${i} done`,
    (i: number) => `    at com.example.checkout.Service.charge(Service.java:${i % 400}) stack frame with no time of its own`,
    (i: number) => `INFO  [worker-${i % 8}] 2026-12-07 12:00:00,${String(i % 1000).padStart(3, '0')} job thumbnail done`,
  ];
  return Array.from({ length: count }, (_, i) => forms[i % forms.length]!(i));
}

function bodies(lines: readonly string[]): Buffer[] {
  const out: Buffer[] = [];
  let batch: string[] = [];
  let bytes = 0;
  for (const line of lines) {
    batch.push(line);
    bytes += line.length + 1;
    if (bytes >= BATCH_BYTES) {
      out.push(Buffer.from(batch.map((text) => `${text}\n`).join('')));
      batch = [];
      bytes = 0;
    }
  }
  if (batch.length > 0) out.push(Buffer.from(batch.map((text) => `${text}\n`).join('')));
  return out;
}

/** Best ns per line over PASSES passes, and how many lines stated a time. */
function measure(chunks: readonly Buffer[], lineCount: number): { nsPerLine: number; stated: number } {
  const received = START_MS + 3_600_000;
  let best = Number.POSITIVE_INFINITY;
  let stated = 0;
  for (let pass = 0; pass < PASSES; pass += 1) {
    stated = 0;
    const started = process.hrtime.bigint();
    for (const body of chunks) {
      let start = 0;
      while (start < body.length) {
        const end = body.indexOf(NEWLINE, start);
        if (eventTimeOf(body, start, end, received) !== undefined) stated += 1;
        start = end + 1;
      }
    }
    best = Math.min(best, Number(process.hrtime.bigint() - started) / lineCount);
  }
  return { nsPerLine: best, stated };
}

/** The same walk over the lines without reading their time: what the line splitting alone costs. */
function splitOnly(chunks: readonly Buffer[], lineCount: number): number {
  let best = Number.POSITIVE_INFINITY;
  let count = 0;
  for (let pass = 0; pass < PASSES; pass += 1) {
    const started = process.hrtime.bigint();
    for (const body of chunks) {
      let start = 0;
      while (start < body.length) {
        start = body.indexOf(NEWLINE, start) + 1;
        count += 1;
      }
    }
    best = Math.min(best, Number(process.hrtime.bigint() - started) / lineCount);
  }
  return count > 0 ? best : 0;
}

export async function runEventTime(): Promise<BenchResult> {
  const result = new ResultBuilder('event-time');
  const demo = demoLines();
  const other = otherLines(demo.length);
  const split = splitOnly(bodies(demo), demo.length);
  const demoCost = measure(bodies(demo), demo.length);
  const otherCost = measure(bodies(other), other.length);
  const baseline = { name: 'splitting the lines only', value: split };
  result.lowerIsBetter('demo lines', demoCost.nsPerLine, 'ns/line', baseline, `${demoCost.stated} of ${demo.length} lines state a time`);
  result.lowerIsBetter('other formats and lines with no time', otherCost.nsPerLine, 'ns/line', baseline, `${otherCost.stated} of ${other.length} lines state a time`);
  result.lowerIsBetter(`share of one core at ${INGEST_LINES_PER_SEC} lines/s (demo lines)`, (demoCost.nsPerLine * INGEST_LINES_PER_SEC) / 1e7, '%');
  result.details.data = { demoLines: demo.length, otherLines: other.length, passes: PASSES, batchBytes: BATCH_BYTES };
  console.log(`  demo ${demoCost.nsPerLine.toFixed(1)} ns/line (${demoCost.stated}/${demo.length} stated), other ${otherCost.nsPerLine.toFixed(1)} ns/line (${otherCost.stated}/${other.length} stated), split only ${split.toFixed(1)} ns/line`);
  return Promise.resolve(result.finish());
}
