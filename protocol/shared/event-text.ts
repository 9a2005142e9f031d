/**
 * A log event may span several lines (a stack trace joined by the agent). On the agent-to-hub wire
 * and in the hub's batches the line breaks inside an event are the byte 0x00, so every event stays
 * one '\n'-ended record; viewers receive them as '\n'. A NUL byte in a file's own text never reaches
 * the wire: the agent writes it as U+2400 (SYMBOL FOR NULL).
 */
export const EVENT_BREAK_BYTE = 0x00;
export const EVENT_BREAK = '\u0000';
/** What the agent writes for a NUL byte of a file's text. */
export const NUL_STAND_IN = '\u2400';

/** The text of an event as viewers see it: its inner line breaks as '\n'. */
export function eventText(wireText: string): string {
  return wireText.includes(EVENT_BREAK) ? wireText.replaceAll(EVENT_BREAK, '\n') : wireText;
}

/** How many lines follow an event's first one (0 for a single line). */
export function extraLineCount(line: string): number {
  let count = 0;
  for (let at = line.indexOf('\n'); at >= 0; at = line.indexOf('\n', at + 1)) count += 1;
  return count;
}
