/** Defaults shared by both ends of a connection. Each side may be configured lower, never higher. */
export const DEFAULT_LIMITS = {
  /** A longer line is cut here by the agent; the rest of it is dropped and counted. */
  maxLineBytes: 64 * 1024,
  /** Largest agent frame the hub accepts (a batch of lines plus its header). */
  maxAgentFrameBytes: 8 * 1024 * 1024,
  /** Largest message the hub accepts from a viewer (subscribe, context...). */
  maxClientMessageBytes: 64 * 1024,
  /** Longest include or exclude pattern, in characters. */
  maxPatternLength: 1024,
  /** Longest host or file glob, in characters: matching costs up to its length times the name's. */
  maxGlobLength: 256,
  /** Most globs in one host or file list. */
  maxGlobsPerList: 32,
  /** Most backlog lines a subscribe may ask for. */
  maxBacklogLines: 10_000,
  /** Most context lines on each side of a line. */
  maxContextLines: 500,
} as const;
