import { useEffect, useState } from 'react';
import type { ConnectionState } from '../../lib/hub/hub-client.js';

interface ConnectionStatusProps {
  state: ConnectionState;
  onRetry(): void;
}

/** Live / connecting / reconnecting-in-N-s, in the top bar. */
export function ConnectionStatus({ state, onRetry }: ConnectionStatusProps) {
  const now = useSecondTicker(state.status === 'reconnecting');
  switch (state.status) {
    case 'live':
      return (
        <span className="connection connection--live" role="status" title={`Hub ${state.hubId}`}>
          <span className="connection__dot" aria-hidden="true" /> Live{state.viewer ? ` · ${state.viewer}` : ''}
        </span>
      );
    case 'connecting':
      return (
        <span className="connection connection--connecting" role="status">
          <span className="connection__dot" aria-hidden="true" /> Connecting…
        </span>
      );
    case 'reconnecting': {
      const seconds = Math.max(0, Math.ceil((state.retryAt - now) / 1000));
      return (
        <span className="connection connection--reconnecting" role="status" title={state.reason}>
          <span className="connection__dot" aria-hidden="true" /> Reconnecting in {seconds} s (attempt {state.attempt})
          <button type="button" onClick={onRetry}>
            Retry now
          </button>
        </span>
      );
    }
    case 'unauthorized':
      return (
        <span className="connection connection--down" role="status">
          <span className="connection__dot" aria-hidden="true" /> Sign-in required
        </span>
      );
    case 'failed':
      return (
        <span className="connection connection--down" role="alert">
          <span className="connection__dot" aria-hidden="true" /> {state.message}
        </span>
      );
    case 'stopped':
      return null;
  }
}

/** The current time, refreshed every second while `active` (for the reconnect countdown). */
function useSecondTicker(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}
