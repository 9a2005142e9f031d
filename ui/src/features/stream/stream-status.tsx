import type { PauseReason, StreamView } from './pane-stream.js';

interface StreamStatusProps {
  view: StreamView;
  /** Whether the hub connection is up; a following pane is only "live" when lines can arrive. */
  connected: boolean;
  capacity: number;
  wrapAll: boolean;
  onTogglePause(): void;
  onToggleWrap(): void;
}

const PAUSE_TEXT: Record<PauseReason, string> = {
  user: 'Paused',
  scroll: 'Paused (scrolled up)',
  select: 'Paused (lines selected)',
  permalink: 'Paused at the linked line',
  cursor: 'Paused (keyboard cursor)',
};

/** The strip above a stream: live or paused, counts, and every way lines went missing. */
export function StreamStatus({ view, connected, capacity, wrapAll, onTogglePause, onToggleWrap }: StreamStatusProps) {
  const shown = view.received - view.trimmed;
  return (
    <div className="stream-status">
      <button type="button" className="stream-status__pause" aria-pressed={view.paused !== null} onClick={onTogglePause} title="Pause or resume (Space)">
        {view.paused === null ? '❚❚ Pause' : '▶ Resume'}
      </button>
      {view.paused !== null ? (
        <span className="stream-status__paused">{PAUSE_TEXT[view.paused]}</span>
      ) : connected ? (
        <span className="stream-status__live">Live</span>
      ) : (
        <span className="stream-status__offline">Not connected</span>
      )}
      <span className="stream-status__count">{shown.toLocaleString()} lines</span>
      {view.trimmed > 0 && (
        <span className="stream-status__trimmed" title={`Each pane keeps the newest ${capacity.toLocaleString()} lines`}>
          {view.trimmed.toLocaleString()} older trimmed
        </span>
      )}
      {view.dropped > 0 && (
        <span className="stream-status__dropped" role="status" title="The hub discarded lines because this viewer read too slowly">
          ⚠ {view.dropped.toLocaleString()} dropped by the hub
        </span>
      )}
      <button type="button" className="stream-status__wrap" aria-pressed={wrapAll} onClick={onToggleWrap} title="Wrap long lines">
        Wrap
      </button>
    </div>
  );
}
