import { useStore } from '../../lib/store.js';
import type { OlderLines } from './older-lines.js';
import './history.css';

/**
 * Above a pane's list: the state of loading older lines from history, and a button to
 * load them (for a pane whose lines fit without scrolling, or after a failure).
 */
export function OlderLinesNotice({ older, paused, empty }: { older: OlderLines; paused: boolean; empty: boolean }) {
  const state = useStore(older);
  const notes = useStore(older.notes);
  const partial = notes.partial ? ` Partial: ${notes.failures.map((failure) => `hub ${failure.hubId}`).join(', ') || 'some stored lines'} missing.` : '';
  if (state.status === 'loading') return <p className="older-lines" role="status">Loading older lines from history…</p>;
  if (state.status === 'end') return paused ? <p className="older-lines older-lines--quiet" role="status">Start of history for this filter.{partial}</p> : null;
  if (state.status === 'full') return paused ? <p className="older-lines older-lines--quiet" role="status">The pane holds as many lines as it can: search a time range for older ones.</p> : null;
  if (state.status === 'error') {
    return (
      <p className="older-lines older-lines--error" role="alert">
        Could not load older lines: {state.message}{' '}
        <button type="button" onClick={() => void older.load()}>
          Retry
        </button>
      </p>
    );
  }
  if (!paused && !empty) return null;
  return (
    <p className="older-lines older-lines--quiet">
      <button type="button" onClick={() => void older.load()}>
        ⇡ Older lines from history
      </button>
      {partial}
    </p>
  );
}
