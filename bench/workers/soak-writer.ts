/**
 * The soak benchmark's application: appends realistic log lines to one file at a steady rate, each
 * starting with its write time on the monotonic clock and a sequence number (`wt=<µs> seq=<n> `), and
 * rotates the file like logrotate with a signalled reopen: every `rotateMs` the file is renamed to
 * `<file>.1`, the writer goes on writing to the renamed file for `reopenDelayMs`, then opens the
 * path again. The previous `<file>.1` is deleted half way to the next rotation, off the writing
 * thread as logrotate's own process would: renamed over, the file system freeing it stalled the
 * writer itself, and the burst of lines after the stall was not the pipeline's doing. Prints `{"written":N,"bytes":B}` every second and once at the end,
 * and `{"reopenedAt":N}` when it opens a new file (line N is the new file's first).
 *
 *   node dist/bench/workers/soak-writer.js '{"file":"/tmp/x/app.log","linesPerSec":50000,"durationMs":600000,"rotateMs":30000,"reopenDelayMs":200}'
 */
import { closeSync, openSync, renameSync, unlink, writeSync } from 'node:fs';
import { generateLines } from '../lib/dataset.js';
import { monotonicMicros, STAMP_PREFIX } from '../lib/monotonic.js';

interface SoakWriterConfig {
  file: string;
  linesPerSec: number;
  durationMs: number;
  rotateMs: number;
  reopenDelayMs: number;
  tickMs?: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as SoakWriterConfig;
const tickMs = config.tickMs ?? 5;
const pool = generateLines(50_000, 11);
let fd = openSync(config.file, 'a');
let written = 0;
let bytes = 0;
let rotations = 0;
const started = performance.now();
let nextRotation = config.rotateMs;
let nextCleanUp = config.rotateMs + config.rotateMs / 2;
let reopenAt = Number.POSITIVE_INFINITY;
let lastProgress = 0;

function tick(): void {
  const elapsed = performance.now() - started;
  if (elapsed >= nextRotation) {
    renameSync(config.file, `${config.file}.1`);
    rotations += 1;
    nextRotation += config.rotateMs;
    reopenAt = elapsed + config.reopenDelayMs;
  }
  if (elapsed >= nextCleanUp) {
    nextCleanUp += config.rotateMs;
    unlink(`${config.file}.1`, () => {
      // Gone already, or never rotated: either way the next rename replaces nothing.
    });
  }
  if (elapsed >= reopenAt) {
    closeSync(fd);
    fd = openSync(config.file, 'a');
    reopenAt = Number.POSITIVE_INFINITY;
    // Lines from here on go to the new file: the checker needs the boundary to judge order per file.
    process.stdout.write(`${JSON.stringify({ written, rotations, reopenedAt: written })}\n`);
  }
  const due = Math.floor(Math.min(config.durationMs, elapsed) * (config.linesPerSec / 1000)) - written;
  if (due > 0) {
    const stamp = `${STAMP_PREFIX}${monotonicMicros()} seq=`;
    const parts: string[] = [];
    for (let i = 0; i < due; i += 1) parts.push(stamp, String(written + i), ' ', pool[(written + i) % pool.length]!, '\n');
    bytes += writeSync(fd, parts.join(''));
    written += due;
  }
  if (elapsed - lastProgress >= 1_000) {
    lastProgress = elapsed;
    process.stdout.write(`${JSON.stringify({ written, bytes, rotations })}\n`);
  }
  if (elapsed >= config.durationMs) {
    closeSync(fd);
    process.stdout.write(`${JSON.stringify({ written, bytes, rotations, done: true, seconds: elapsed / 1000 })}\n`);
    return;
  }
  setTimeout(tick, tickMs);
}

process.stdout.write(`${JSON.stringify({ written: 0, rotations: 0 })}\n`);
tick();
