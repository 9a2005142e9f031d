import type { Deploy, Verdict } from '../../protocol/index.js';

/**
 * What alerts need from the verdict board (server/verdicts/): each change of a deploy's verdicts,
 * every pin's verdict on that deploy at once, as broadcast to viewers.
 */
export interface VerdictFeed {
  /** Calls `listener` whenever a deploy's verdicts change; returns a function that stops it. */
  onChange(listener: (deploy: Deploy, verdicts: Verdict[]) => void): () => void;
}

