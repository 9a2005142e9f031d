import type { Deploy, MatchedLine } from '../../../../protocol/index.js';

/**
 * What a pane's stream holds: matching lines and the marker rows that explain holes in them. The
 * hub-client turns wire messages into these, in stream order, so a marker sits exactly where its gap is,
 * and a deploy divider where the deploy was announced (or, replayed, at its time among the backlog).
 */
export type StreamEntry = LineEntry | DroppedEntry | GapEntry | DeployEntry;

export interface LineEntry {
  kind: 'line';
  line: MatchedLine;
  /** Replayed from the hub's backlog on subscribe, not received live. */
  backlog: boolean;
}

/** The hub discarded `count` lines for this viewer (it read too slowly). */
export interface DroppedEntry {
  kind: 'dropped';
  count: number;
  /** When the notice arrived, ms since epoch. */
  at: number;
}

/**
 * The connection was lost between `from` and `to`. Lines the hub still held from that interval are
 * replayed after this marker; any beyond the replay are missing.
 */
export interface GapEntry {
  kind: 'gap';
  from: number;
  to: number;
}

/**
 * A deploy marker: a divider where the hub announced it live, or, replayed with a backlog or found
 * in history, at its start time among the lines.
 */
export interface DeployEntry {
  kind: 'deploy';
  deploy: Deploy;
}
