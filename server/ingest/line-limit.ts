const NEWLINE = 0x0a;
const NEWLINE_BYTES = Buffer.from('\n');

export interface LimitedBody {
  body: Buffer;
  /** Body offsets of cut lines: the agent's, moved to the new body, plus the hub's own cuts. */
  truncated: Set<number> | undefined;
  /** Lines the hub cut here. */
  cutLines: number;
}

/** The largest index ≤ `at` that does not fall inside a UTF-8 sequence. */
function utf8Boundary(body: Buffer, at: number, floor: number): number {
  let index = at;
  while (index > floor && (body[index]! & 0xc0) === 0x80) index -= 1;
  return index;
}

/**
 * Cuts lines longer than `maxLineBytes` (agents cut at their own limit, which may be higher than
 * this hub's). Finding long lines costs one native call per `maxLineBytes` of body, not one per
 * line: `lastIndexOf` jumps to the last '\n' within reach of the current line start.
 */
export function limitLineLength(body: Buffer, truncated: readonly number[] | undefined, maxLineBytes: number): LimitedBody {
  const agentCuts = truncated && truncated.length > 0 ? new Set(truncated) : undefined;
  const pieces: Buffer[] = [];
  // Each cut as [old offset of the next line, bytes removed before it], to move the agent's offsets.
  const shifts: Array<[number, number]> = [];
  const hubCuts: number[] = [];
  let copiedUpTo = 0;
  let removed = 0;
  let start = 0;
  while (body.length - 1 - start > maxLineBytes) {
    const newline = body.lastIndexOf(NEWLINE, start + maxLineBytes);
    if (newline >= start) {
      start = newline + 1;
      continue;
    }
    const end = body.indexOf(NEWLINE, start + maxLineBytes);
    const cutAt = utf8Boundary(body, start + maxLineBytes, start);
    pieces.push(body.subarray(copiedUpTo, cutAt), NEWLINE_BYTES);
    hubCuts.push(start - removed);
    removed += end - cutAt;
    shifts.push([end + 1, removed]);
    copiedUpTo = end + 1;
    start = end + 1;
  }
  if (hubCuts.length === 0) return { body, truncated: agentCuts, cutLines: 0 };
  pieces.push(body.subarray(copiedUpTo));
  const result = new Set(hubCuts);
  for (const offset of agentCuts ?? []) {
    let shift = 0;
    for (const [from, total] of shifts) if (offset >= from) shift = total;
    result.add(offset - shift);
  }
  return { body: Buffer.concat(pieces), truncated: result, cutLines: hubCuts.length };
}
