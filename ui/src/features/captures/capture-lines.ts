import type { CaptureLine, LogLine } from '../../../../protocol/index.js';

/** Most lines one capture holds (the hub refuses more). */
export const MAX_CAPTURE_LINES = 10_000;
/** Longest title the hub takes. */
export const MAX_CAPTURE_TITLE = 200;

/** The fields a capture keeps of each line: where, when (received, and stated when it states one), what. Ids and match ranges are the live view's business. */
export function toCaptureLines(lines: readonly LogLine[]): CaptureLine[] {
  return lines.map(({ host, file, ts, eventTs, line }) => (eventTs === undefined ? { host, file, ts, line } : { host, file, ts, eventTs, line }));
}

/**
 * The link to share: the hub answers with a path relative to its own address, because behind a
 * proxy only the browser knows how people reach it.
 */
export function capturePermalink(origin: string, relativeUrl: string): string {
  return new URL(relativeUrl, origin.endsWith('/') ? origin : `${origin}/`).href;
}

/** The capture id in a page path `/captures/<id>`, or undefined for any other path. */
export function captureIdFromPath(pathname: string): string | undefined {
  const match = /^\/captures\/([A-Za-z0-9_-]{1,128})\/?$/.exec(pathname);
  return match?.[1];
}
