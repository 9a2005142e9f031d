import type { LocatorState } from './line-locator.js';

interface PermalinkBannerProps {
  state: LocatorState;
  onDismiss(): void;
  /** Shows the lines around the linked one from history (once its time is known). */
  onShowInHistory?: (() => void) | undefined;
}

/** Tells the user what became of the line their link pointed to. */
export function PermalinkBanner({ state, onDismiss, onShowInHistory }: PermalinkBannerProps) {
  if (state.status === 'idle' || state.status === 'found') return null;
  const text = {
    searching: 'Looking for the linked line in the hub’s backlog…',
    'outside-stream':
      'The linked line is not among this pane’s replayed matches (it is older than the replay, or does not match this filter). Its context is open on the side.',
    gone: 'The linked line is no longer in the hub’s backlog; it cannot be shown.',
  }[state.status];
  return (
    <div className={`permalink-banner permalink-banner--${state.status}`} role="status">
      <span>{text}</span>
      {state.status === 'outside-stream' && onShowInHistory && (
        <button type="button" onClick={onShowInHistory}>
          Show it in history
        </button>
      )}
      {state.status !== 'searching' && (
        <button type="button" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}
