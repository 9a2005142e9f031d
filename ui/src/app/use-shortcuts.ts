import { useEffect, useRef } from 'react';
import type { Session } from './session.js';

/** The key press is text being typed into a field. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** Space on a focused button or link presses it; that must not also pause. */
function isPressable(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && ['BUTTON', 'A', 'SUMMARY'].includes(target.tagName);
}

/** Every shortcut, for the help sheet (`?`); the pane's own keys are in use-pane-keys.ts. */
export const SHORTCUTS: readonly { keys: readonly string[]; action: string }[] = [
  { keys: ['/'], action: 'Focus the filter' },
  { keys: ['j', '↓'], action: 'Move the cursor to the next (newer) line' },
  { keys: ['k', '↑'], action: 'Move the cursor to the previous (older) line' },
  { keys: ['Enter'], action: 'Open the context of the line under the cursor' },
  { keys: ['x', 'Shift+click'], action: 'Select from the first selected line to the cursor (or the clicked line)' },
  { keys: ['o'], action: 'Show the whole line under the cursor, or collapse it' },
  { keys: ['p'], action: 'Pretty-print the JSON line under the cursor, or show it raw' },
  { keys: ['e'], action: 'Show every line of the event under the cursor (a stack trace), or only its first' },
  { keys: ['c'], action: 'Copy the selected lines as Markdown' },
  { keys: ['s'], action: 'Save the selected lines as a capture' },
  { keys: ['g'], action: 'Go to the oldest line' },
  { keys: ['G'], action: 'Go to the newest line and follow live' },
  { keys: ['Space'], action: 'Pause or resume the pane' },
  { keys: ['Esc'], action: 'Clear the selection and close the context' },
  { keys: ['?'], action: 'Show these shortcuts' },
];

/**
 * `/` focuses the active pane's filter, Space pauses or resumes the active pane, Esc clears the
 * selection (and closes the context panel), `?` shows every shortcut. All but Esc are left alone
 * while typing.
 */
export function useShortcuts(session: Session, onHelp?: () => void): void {
  const help = useRef(onHelp);
  help.current = onHelp;
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      const activeId = session.view.getSnapshot().activeId;
      if (event.key === 'Escape') {
        session.clearFocus();
        return;
      }
      if (isTyping(event.target)) return;
      if (event.key === '?' && help.current) {
        event.preventDefault();
        help.current();
      } else if (event.key === '/') {
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
