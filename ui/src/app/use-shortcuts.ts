import { useEffect } from 'react';
import type { Session } from './session.js';

/** True when a key press belongs to a control: typing in a field, pressing a focused button. */
function isInteractive(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON', 'A', 'SUMMARY'].includes(target.tagName);
}

/**
 * `/` focuses the active pane's filter, Space pauses or resumes the active pane, Esc clears the
 * selection (and closes the context panel). `/` and Space are left alone while typing.
 */
export function useShortcuts(session: Session): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      const activeId = session.view.getSnapshot().activeId;
      if (event.key === 'Escape') {
        session.clearFocus();
        return;
      }
      if (isInteractive(event.target)) return;
      if (event.key === '/') {
        const input = document.getElementById(`filter-${activeId}`);
        if (input instanceof HTMLInputElement) {
          event.preventDefault();
          input.focus();
          input.select();
        }
      } else if (event.key === ' ') {
        event.preventDefault();
        const { stream } = session.runtime(activeId);
        if (stream.getSnapshot().paused === null) stream.pause('user');
        else stream.resume();
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [session]);
}
