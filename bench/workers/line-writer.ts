/**
 * Appends realistic log lines to one or more files at a steady rate, each line starting with its
 * write time on the monotonic clock (`wt=<µs> `). Every `tickMs` it writes the lines that are due,
 * one write(2) per file, round robin over the files. With `keepEvents`, a stack trace's frames (lines
 * starting with whitespace) go unstamped to the file their head went to, so an agent can join them
 * into one event. At the end it prints one JSON line: how many
 * lines it wrote and how many of them match `probe` (the pattern the benchmark subscribes with).
 *
 *   node dist/bench/workers/line-writer.js '{"files":[...],"linesPerSec":50000,"durationMs":10000,"tickMs":1,"probe":"ERROR"}'
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import RE2 from 're2';
import { generateLines } from '../lib/dataset.js';
import { monotonicMicros, STAMP_PREFIX } from '../lib/monotonic.js';

interface WriterConfig {
  files: string[];
  linesPerSec: number;
  durationMs: number;
  tickMs: number;
  probe: string;
  seed?: number;
  keepEvents?: boolean;
}

const config = JSON.parse(process.argv[2] ?? '{}') as WriterConfig;
const pool = generateLines(50_000, config.seed ?? 7);
const probe = new RE2(config.probe);
const matches = pool.map((line) => probe.test(line));
const fds = config.files.map((file) => openSync(file, 'a'));

let written = 0;
let matching = 0;
let next = 0;
/** The file the last line went to: a frame follows its head there (keepEvents). */
let lastFile = 0;
const continues = pool.map((line) => config.keepEvents === true && (line.startsWith(' ') || line.startsWith('\t')));
const started = performance.now();

function tick(): void {
  const elapsed = performance.now() - started;
  const due = Math.min(config.durationMs, elapsed) * (config.linesPerSec / 1000) - written;
  if (due >= 1) {
    const count = Math.floor(due);
    const stamp = `${STAMP_PREFIX}${monotonicMicros()} `;
    const perFile: string[][] = fds.map(() => []);
    for (let i = 0; i < count; i += 1) {
      const index = next;
      next = (next + 1) % pool.length;
      if (matches[index]) matching += 1;
      if (continues[index]) perFile[lastFile]!.push(pool[index]!, '\n');
      else {
        lastFile = (written + i) % fds.length;
        perFile[lastFile]!.push(stamp, pool[index]!, '\n');
      }
    }
    written += count;
    perFile.forEach((parts, file) => {
      if (parts.length > 0) writeSync(fds[file]!, parts.join(''));
    });
  }
  if (elapsed >= config.durationMs) {
    for (const fd of fds) closeSync(fd);
    process.stdout.write(`${JSON.stringify({ written, matching, seconds: elapsed / 1000 })}\n`);
    return;
  }
  setTimeout(tick, config.tickMs);
}

process.stdout.write('ready\n');
tick();
