import { createHash } from 'node:crypto';

/**
 * NATS subjects of a supergrep cluster. Lines travel on `sg.lines.<host>.<file>`, one subject per
 * source file, so a hub can subscribe to exactly the hosts and files its viewers ask for.
 *
 * A subject token may not hold `.`, `*`, `>` or whitespace, and hosts and paths hold dots. Tokens
 * therefore keep `[A-Za-z0-9_-/:@+=,~]` as they are and percent-encode every other UTF-8 byte
 * (`app.log` -> `app%2Elog`), which is reversible and keeps subjects readable in `nats sub`. A
 * token longer than MAX_TOKEN_CHARS (deep paths) becomes `%H` + a SHA-256 prefix: `H` is not a
 * hex digit, so it cannot collide with an encoded token.
 */
const SUBJECT_PREFIX = 'sg';
export const LINES_PREFIX = `${SUBJECT_PREFIX}.lines`;
/** Every line of every hub. */
export const ALL_LINES = `${LINES_PREFIX}.*.*`;
/** Scatter-gather for the subscribe backlog; every hub answers. */
export const BACKLOG_SUBJECT = `${SUBJECT_PREFIX}.backlog`;
/** Scatter-gather for history search and histograms (server/cluster/peer-search.ts); every hub answers. */
export const SEARCH_SUBJECT = `${SUBJECT_PREFIX}.search`;
export const HISTOGRAM_SUBJECT = `${SUBJECT_PREFIX}.histogram`;
/** The asking hub has its page, or its viewer left: hubs still scanning for it stop. */
export const SEARCH_STOP_SUBJECT = `${SUBJECT_PREFIX}.search.stop`;
/** A new hub asks the others to announce themselves at once. */
export const HELLO_SUBJECT = `${SUBJECT_PREFIX}.hello`;

/** Longest token kept readable; NATS's control line (subject + reply) must stay under 4 KiB. */
export const MAX_TOKEN_CHARS = 240;

const PLAIN = /^[A-Za-z0-9_\-/:@+=,~]$/;

export function encodeToken(text: string): string {
  if (text === '') return '%';
  let out = '';
  for (const char of text) {
    if (PLAIN.test(char)) {
      out += char;
      continue;
    }
    for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (out.length <= MAX_TOKEN_CHARS) return out;
  return `%H${createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 40)}`;
}

/** The subject a source's lines are published on. */
export function lineSubject(host: string, file: string): string {
  return `${LINES_PREFIX}.${encodeToken(host)}.${encodeToken(file)}`;
}

/** Where context requests for lines `hubId` assigned go. */
export function contextSubject(hubId: string): string {
  return `${SUBJECT_PREFIX}.ctx.${encodeToken(hubId)}`;
}

/** Where `hubId` announces itself. */
export function beaconSubject(hubId: string): string {
  return `${SUBJECT_PREFIX}.hub.${encodeToken(hubId)}`;
}
export const ALL_BEACONS = `${SUBJECT_PREFIX}.hub.*`;

/** The id prefix (`<hub>-<src>-`) and position of a line id; undefined when it is not one. */
export function parseLineId(id: string): { hubId: string; prefix: string; pos: number } | undefined {
  const last = id.lastIndexOf('-');
  const middle = id.lastIndexOf('-', last - 1);
  if (middle <= 0) return undefined;
  const num = Number(id.slice(middle + 1, last));
  const pos = Number(id.slice(last + 1));
  if (!Number.isSafeInteger(num) || num <= 0 || !Number.isSafeInteger(pos) || pos < 0 || id.slice(last + 1) === '') return undefined;
  return { hubId: id.slice(0, middle), prefix: id.slice(0, last + 1), pos };
}
