import { useEffect } from 'react';
import { decodeView } from '../features/panes/url-state.js';
import type { Session } from './session.js';

/**
 * Keeps the address bar equal to the view, so copying it shares the same live view. replaceState,
 * not pushState: every keystroke in a filter must not become a history entry. A `#line=` typed or
 * pasted into the address bar of an open tab is picked up through hashchange.
 */
export function useUrlSync(session: Session): void {
  useEffect(() => {
    const write = () => {
      const { search, hash } = session.view.toUrl();
      const url = `${window.location.pathname}${search}${hash}`;
      if (url !== `${window.location.pathname}${window.location.search}${window.location.hash}`) {
        window.history.replaceState(window.history.state, '', url);
      }
    };
    const onHashChange = () => {
      const { line } = decodeView('', window.location.hash);
      if (line !== undefined && line !== session.view.getSnapshot().line) session.openPermalink(line);
    };
    write();
    const unsubscribe = session.view.subscribe(write);
    window.addEventListener('hashchange', onHashChange);
    return () => {
      unsubscribe();
      window.removeEventListener('hashchange', onHashChange);
    };
  }, [session]);
}
