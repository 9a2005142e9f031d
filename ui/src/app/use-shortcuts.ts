import { useEffect } from 'react';
import type { Session } from './session.js';

/** The key press is text being typed into a field. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** Space on a focused button or link presses it; that must not also pause. */
function isPressable(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && ['BUTTON', 'A', 'SUMMARY'].includes(target.tagName);
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
      if (isTyping(event.target)) return;
      if (event.key === '/') {
        const input = document.getElementById(`filter-${activeId}`);
        if (input instanceof HTMLInputElement) {
          event.preventDefault();
          input.focus();
          input.select();
        }
      } else if (event.key === ' ' && !isPressable(event.target)) {
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
