import { memo } from 'react';
import type { DroppedEntry, GapEntry } from '../../lib/hub/stream-entry.js';
import { formatClock, formatDuration } from '../../lib/text/time-format.js';

/** A row that is not a log line but explains a hole among them, placed exactly where the hole is. */
export const MarkerRow = memo(function MarkerRow({ entry }: { entry: DroppedEntry | GapEntry }) {
  if (entry.kind === 'dropped') {
    return (
      <div className="marker-row marker-row--dropped" role="note">
        ⚠ The hub dropped {entry.count.toLocaleString()} {entry.count === 1 ? 'line' : 'lines'} here: this viewer was reading too slowly.
      </div>
    );
  }
  return (
    <div className="marker-row marker-row--gap" role="note">
      ⚡ Disconnected {formatClock(entry.from)} – {formatClock(entry.to)} ({formatDuration(entry.to - entry.from)}). Lines the hub still
      held from the gap follow; older ones may be missing.
    </div>
  );
});
