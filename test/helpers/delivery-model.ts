import { createHash } from 'node:crypto';

/** How many leading bytes the agent fingerprints a file by (agent/tailing/file-identity.ts). */
const FINGERPRINT_BYTES = 256;

/**
 * One generation of one file, as the writer made it: from its creation (or the truncation of a
 * copytruncate) to its rename, deletion or truncation. The agent reports each as its own fileId.
 */
export interface Segment {
  id: number;
  /** Inode, once the file exists (decimal, as the agent's state file has it). */
  ino: string | undefined;
  /** Complete lines, in file order, and the byte offset just after each one. */
  lines: string[];
  ends: number[];
  bytes: number;
  /** The first bytes written (all ASCII), to match the agent's fingerprints. */
  head: string;
  /** A line written in part (no newline yet): what is written so far, and what it will be. */
  partial: string;
  partialFull: string;
  /**
   * Lines that may or may not arrive: the unfinished last line of a renamed file. The agent sends it
   * when it closes the file, but a file still followed under its rotated name is never closed.
   */
  optional: string[];
  /** The agent has followed this file (so its state file knows the inode), see DeliveryModel.known. */
  known: boolean;
  state: 'current' | 'rotated' | 'deleted' | 'truncated';
}

/** A kill -9 of the agent or the hub, and which lines were acknowledged for good at that moment. */
export interface Kill {
  kind: 'agent' | 'hub';
  /** Deliveries the viewer had seen when the kill was sent: later deliveries may be duplicates it allows. */
  position: number;
  /** Lines at or before the offsets of the agent's state file right after the kill. */
  acked: ReadonlySet<string>;
}

/** An entry of the agent's state file (agent/state/checkpoint-store.ts). */
export interface StateEntry {
  ino: string;
  fingerprint: string;
  fingerprintLength: number;
  offset: number;
}

export interface Delivery {
  line: string;
  file: string;
}

/**
 * The writer's side of the model-based pipeline test: which lines exist in which generation of
 * which file, which must arrive, which may, and which the agent had acknowledged at each kill.
 */
export class DeliveryModel {
  readonly segments: Segment[] = [];
  current: Segment | undefined;
  readonly kills: Kill[] = [];
  agentUp = true;
  hubUp = true;
  private nextLine = 0;

  /** A new file at the path: the next write creates it. */
  private segment(): Segment {
    if (this.current) return this.current;
    const created: Segment = {
      id: this.segments.length,
      ino: undefined,
      lines: [],
      ends: [],
      bytes: 0,
      head: '',
      partial: '',
      partialFull: '',
      optional: [],
      known: false,
      state: 'current',
    };
    this.segments.push(created);
    this.current = created;
    return created;
  }

  /** Starts the model with an empty file at the path, already followed by the agent. */
  startEmpty(ino: string): Segment {
    const segment = this.segment();
    segment.ino = ino;
    segment.known = true;
    return segment;
  }

  private lineText(pad: number): string {
    const text = `L${String(this.nextLine).padStart(6, '0')} ${'x'.repeat(pad)}`;
    this.nextLine += 1;
    return text;
  }

  private write(segment: Segment, text: string): string {
    if (segment.head.length < FINGERPRINT_BYTES) segment.head = (segment.head + text).slice(0, FINGERPRINT_BYTES);
    segment.bytes += text.length;
    return text;
  }

  private completeLine(segment: Segment, line: string): void {
    segment.lines.push(line);
    segment.ends.push(segment.bytes);
  }

  /** `count` complete lines (the first finishes a partial line): the text to append. */
  append(count: number, pad: number): string {
    const segment = this.segment();
    let text = this.finishPartial(segment);
    for (let i = 0; i < count; i += 1) {
      const line = this.lineText(pad);
      text += this.write(segment, `${line}\n`);
      this.completeLine(segment, line);
    }
    return text;
  }

  /** The first `cut` characters of a new line, no newline; nothing when a partial line is pending. */
  appendPartial(pad: number, cut: number): string {
    const segment = this.segment();
    if (segment.partialFull) return '';
    const line = this.lineText(pad);
    segment.partialFull = line;
    segment.partial = line.slice(0, Math.max(1, Math.min(cut, line.length - 1)));
    return this.write(segment, segment.partial);
  }

  /** The rest of the pending partial line and its newline ('' when none is pending). */
  finishPartial(segment = this.current): string {
    if (!segment?.partialFull) return '';
    const text = this.write(segment, `${segment.partialFull.slice(segment.partial.length)}\n`);
    this.completeLine(segment, segment.partialFull);
    segment.partial = '';
    segment.partialFull = '';
    return text;
  }

  /** Rename+create: the file moves away with its unfinished line, if any. */
  rotate(): Segment {
    const segment = this.current!;
    segment.state = 'rotated';
    if (segment.partial) segment.optional.push(segment.partial);
    segment.partial = segment.partialFull = '';
    this.current = undefined;
    return segment;
  }

  /** Copytruncate (after the writer finished its line): same inode, contents start over. */
  truncate(): Segment {
    const old = this.current!;
    old.state = 'truncated';
    this.current = undefined;
    const fresh = this.segment();
    fresh.ino = old.ino;
    fresh.known = true;
    return fresh;
  }

  /** Deletion: the agent reads the file to its end, an unfinished last line included, through its open handle. */
  delete(): Segment {
    const segment = this.current!;
    segment.state = 'deleted';
    if (segment.partial) this.completeLine(segment, segment.partial);
    segment.partial = segment.partialFull = '';
    this.current = undefined;
    return segment;
  }

  /** Lines every run must deliver. */
  required(): string[] {
    return this.segments.flatMap((segment) => segment.lines);
  }

  /**
   * The lines the agent's state file says are acknowledged: for each entry, the one segment with that
   * inode whose first bytes match the fingerprint, up to the offset. An entry that matches no segment
   * or several acknowledges nothing (so the duplicate check can only be more lenient, never wrong).
   */
  ackedBy(entries: readonly StateEntry[]): Set<string> {
    const acked = new Set<string>();
    for (const entry of entries) {
      const matches = this.segments.filter(
        (segment) =>
          segment.ino === entry.ino &&
          segment.head.length >= entry.fingerprintLength &&
          createHash('sha256').update(segment.head.slice(0, entry.fingerprintLength)).digest('hex') === entry.fingerprint,
      );
      if (matches.length !== 1) continue;
      const segment = matches[0]!;
      segment.lines.forEach((line, index) => {
        if (segment.ends[index]! <= entry.offset) acked.add(line);
      });
    }
    return acked;
  }
}

/**
 * Checks what a viewer received against the model; returns every problem found (empty: all good):
 * - every required line arrived; nothing arrived that was never written as a line;
 * - each segment's lines first arrived in file order; every line reported under `file`;
 * - a line arrived more than once only after kills at which it was not yet acknowledged: its k-th
 *   extra copy needs k such kills before it (docs/protocol.md, "Delivery guarantees").
 */
export function checkDeliveries(model: DeliveryModel, deliveries: readonly Delivery[], file: string): string[] {
  const problems: string[] = [];
  const positions = new Map<string, number[]>();
  const known = new Set([...model.required(), ...model.segments.flatMap((segment) => segment.optional)]);
  deliveries.forEach((delivery, position) => {
    if (!known.has(delivery.line)) problems.push(`arrived but never written as a line: ${JSON.stringify(delivery.line)}`);
    if (delivery.file !== file) problems.push(`${delivery.line} reported under ${delivery.file}, not ${file}`);
    positions.set(delivery.line, [...(positions.get(delivery.line) ?? []), position]);
  });
  const missing = model.required().filter((line) => !positions.has(line));
  if (missing.length > 0) problems.push(`${missing.length} lines never arrived: ${missing.slice(0, 10).join(', ')}`);
  for (const segment of model.segments) {
    const firsts = [...segment.lines, ...segment.optional].filter((line) => positions.has(line)).map((line) => ({ line, at: positions.get(line)![0]! }));
    for (let i = 1; i < firsts.length; i += 1) {
      if (firsts[i]!.at < firsts[i - 1]!.at) problems.push(`segment ${segment.id}: ${firsts[i]!.line} arrived before ${firsts[i - 1]!.line}`);
    }
  }
  for (const [line, at] of positions) {
    for (let copy = 1; copy < at.length; copy += 1) {
      const allowing = model.kills.filter((kill) => kill.position <= at[copy]! && !kill.acked.has(line)).length;
      if (allowing < copy) {
        problems.push(`${line} arrived ${at.length} times; copy ${copy + 1} (delivery ${at[copy]}) follows only ${allowing} kill(s) at which it was unacknowledged`);
        break;
      }
    }
  }
  return problems;
}

/** A followed file as it is on disk (the current file or a rotated one), for checkpointLag. */
export interface FileOnDisk {
  name: string;
  /** Decimal, as the agent's state file has it. */
  ino: string;
  content: Buffer;
}

/**
 * Where every file on disk must stand acknowledged in the agent's state file once nothing more can
 * arrive; describes the first file that is not there yet (its name, size and entry), or undefined.
 *
 * A file stands at its last complete line, except a rotated-away file whose unfinished last line the
 * agent sent when it closed the file (it does so only when it had not yet found the file under its
 * new name, see DeliveryModel.rotate): that file stands at its end, even once it is followed again
 * under the new name. Whether the line went out is read from what the viewer received; a text that
 * another line or another file's unfinished line could also account for leaves both places allowed.
 */
export function checkpointLag(model: DeliveryModel, files: readonly FileOnDisk[], entries: ReadonlyArray<Pick<StateEntry, 'ino' | 'offset'>>, delivered: ReadonlySet<string>): string | undefined {
  const completes = files.map((file) => file.content.lastIndexOf(0x0a) + 1);
  const tails = files.map((file, index) => file.content.subarray(completes[index]).toString('utf8'));
  const required = new Set(model.required());
  for (const [index, file] of files.entries()) {
    const size = file.content.length;
    const complete = completes[index]!;
    const tail = tails[index]!;
    const ambiguous = required.has(tail) || tails.some((other, at) => at !== index && other === tail);
    const allowed = tail === '' ? [complete] : !delivered.has(tail) ? [complete] : ambiguous ? [complete, size] : [size];
    const entry = entries.find((candidate) => candidate.ino === file.ino);
    if (entry && allowed.includes(entry.offset)) continue;
    const where = allowed.join(' or ');
    return `${file.name} (inode ${file.ino}, ${size} bytes, ${complete} of them complete lines) should stand at ${where}; its state entry: ${entry ? JSON.stringify(entry) : 'none'}`;
  }
  return undefined;
}
