import { useEffect, useRef } from 'react';
import { SHORTCUTS } from './use-shortcuts.js';

/** The `?` sheet: every keyboard shortcut. A modal dialog; Esc or Close closes it and focus returns. */
export function ShortcutHelp({ onClose }: { onClose(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    const returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
    // jsdom has no showModal; there the open attribute shows it.
    if (typeof element.showModal === 'function' && !element.open) element.showModal();
    else element.setAttribute('open', '');
    return () => returnTo?.focus();
  }, []);
  return (
    <dialog ref={dialog} className="shortcut-help" aria-labelledby="shortcut-help-title" onClose={onClose} onCancel={onClose}>
      <header className="shortcut-help__header">
        <h2 id="shortcut-help-title">Keyboard shortcuts</h2>
        <button type="button" onClick={onClose} autoFocus>
          Close
        </button>
      </header>
      <dl className="shortcut-help__list">
        {SHORTCUTS.map((shortcut) => (
          <div key={shortcut.action} className="shortcut-help__item">
            <dt>
              {shortcut.keys.map((key, index) => (
                <span key={key}>
                  {index > 0 && ' or '}
                  <kbd>{key}</kbd>
                </span>
              ))}
            </dt>
            <dd>{shortcut.action}</dd>
          </div>
        ))}
      </dl>
    </dialog>
  );
}
