import { CriDecoder } from '../../agent/formats/cri-decoder.js';
import { DockerJsonDecoder, decodeDockerByParse } from '../../agent/formats/docker-json-decoder.js';
import { PlainDecoder, type DecodedLine, type LineDecoder } from '../../agent/formats/line-decoder.js';
import { LineSplitter } from '../../agent/tailing/line-splitter.js';

/**
 * The container formats' cost in this process: the same messages as a plain file, as CRI lines
 * and as Docker json-file lines, each taken through the agent's LineSplitter in 512 KiB reads, then
 * decoded line by line (agent/formats/) and copied out as `prefix + message` (a stand-in for the
 * event joiner, which copies every event into the body). CPU time, best of a few passes, one thread.
 */

const READ_BYTES = 512 * 1024;
const PASSES = 5;
const LF = 0x0a;
const MAX_LINE_BYTES = 64 * 1024;
const START_MS = Date.UTC(2026, 10, 26, 20, 0, 0);

/** A runtime's time for line `i`: RFC 3339 with nanoseconds, as containerd and Docker write it. */
function runtimeTime(i: number): string {
  return `${new Date(START_MS + Math.floor(i / 1000)).toISOString().slice(0, 23)}${String((i % 1000) * 1000 + 1).padStart(6, '0')}Z`;
}

/** One stream per line: mostly stdout, every tenth line stderr. */
function streamOf(i: number): string {
  return i % 10 === 9 ? 'stderr' : 'stdout';
}

/** `messages` as the kubelet's CRI lines (all `F`). */
export function criLines(messages: readonly string[]): Buffer {
  return Buffer.from(messages.map((message, i) => `${runtimeTime(i)} ${streamOf(i)} F ${message}\n`).join(''), 'utf8');
}

/** `messages` as Docker json-file lines. */
function dockerLines(messages: readonly string[]): Buffer {
  return Buffer.from(messages.map((message, i) => `{"log":${JSON.stringify(`${message}\n`)},"stream":"${streamOf(i)}","time":"${runtimeTime(i)}"}\n`).join(''), 'utf8');
}

/** The Docker decoder with JSON.parse on every line, the alternative the hand-written scan is measured against. */
class DockerByParseDecoder implements LineDecoder {
  readonly format = 'docker';
  undecodable = 0;
  private readonly out: DecodedLine = { prefix: Buffer.alloc(0), message: Buffer.alloc(0), partial: false, stream: '' };

  decode(line: Buffer): DecodedLine {
    if (!decodeDockerByParse(line, this.out)) this.undecodable += 1;
    return this.out;
  }
}

/** Splits `file` as the tailer reads it; with a decoder, decodes every line and copies it out. Returns the lines. */
function pass(file: Buffer, decoder: LineDecoder | undefined, sink: Buffer): number {
  const splitter = new LineSplitter({ maxLineBytes: MAX_LINE_BYTES });
  let lines = 0;
  for (let pos = 0; pos < file.length; ) {
    const chunk = file.subarray(pos, pos + READ_BYTES);
    const { body, lineCount, consumedBytes } = splitter.split(chunk, Number.POSITIVE_INFINITY, pos + READ_BYTES >= file.length);
    pos += consumedBytes;
    lines += lineCount;
    if (decoder === undefined) continue;
    let written = 0;
    for (let start = 0; start < body.length; ) {
      const end = body.indexOf(LF, start);
      const out = decoder.decode(body.subarray(start, end));
      written += out.prefix.copy(sink, written);
      written += out.message.copy(sink, written);
      sink[written++] = LF;
      start = end + 1;
    }
  }
  return lines;
}

/** Best CPU ns per line over PASSES passes (CPU time: the machines are shared). */
function nsPerLine(file: Buffer, makeDecoder: (() => LineDecoder) | undefined): { ns: number; undecodable: number } {
  const sink = Buffer.allocUnsafe(READ_BYTES * 2);
  let best = Number.POSITIVE_INFINITY;
  let undecodable = 0;
  for (let round = 0; round < PASSES; round += 1) {
    const decoder = makeDecoder?.();
    const started = process.cpuUsage();
    const lines = pass(file, decoder, sink);
    const used = process.cpuUsage(started);
    best = Math.min(best, ((used.user + used.system) * 1000) / lines);
    undecodable = decoder?.undecodable ?? 0;
  }
  return { ns: best, undecodable };
}

export interface DecodingCost {
  lines: number;
  /** LineSplitter alone over the plain file: what the agent does per line today. */
  plainSplitNs: number;
  /** Split, PlainDecoder, copy out. */
  plainNs: number;
  criNs: number;
  dockerNs: number;
  /** The Docker lines with JSON.parse on each instead of the scan. */
  dockerParseNs: number;
  /** Lines a decoder could not decode (should be 0). */
  undecodable: number;
}

/** Measures splitting and decoding the same messages as plain, CRI and Docker lines. */
export function measureDecoding(messages: readonly string[]): DecodingCost {
  const plain = Buffer.from(messages.map((message) => `${message}\n`).join(''), 'utf8');
  const cri = criLines(messages);
  const docker = dockerLines(messages);
  const results = {
    plainSplit: nsPerLine(plain, undefined),
    plain: nsPerLine(plain, () => new PlainDecoder()),
    cri: nsPerLine(cri, () => new CriDecoder()),
    docker: nsPerLine(docker, () => new DockerJsonDecoder()),
    dockerParse: nsPerLine(docker, () => new DockerByParseDecoder()),
  };
  return {
    lines: messages.length,
    plainSplitNs: results.plainSplit.ns,
    plainNs: results.plain.ns,
    criNs: results.cri.ns,
    dockerNs: results.docker.ns,
    dockerParseNs: results.dockerParse.ns,
    undecodable: results.cri.undecodable + results.docker.undecodable + results.dockerParse.undecodable,
  };
}
