import { useEffect, useRef } from 'react';
import './components.css';

interface CopyFallbackProps {
  text: string;
  /** What is being copied, for the dialog's name. */
  label?: string;
  onClose(): void;
}

/** Shown when the clipboard API is unavailable (plain-http hub): the text, selected, for Ctrl+C. */
export function CopyFallback({ text, label = 'Copy the selected lines', onClose }: CopyFallbackProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const area = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) {
      // jsdom has no showModal; the dialog is still usable as a plain open element there.
      if (typeof element.showModal === 'function') element.showModal();
      else element.setAttribute('open', '');
    }
    area.current?.select();
  }, []);

  return (
    <dialog ref={dialog} className="copy-fallback" onClose={onClose} aria-label={label}>
      <p>This page could not write to the clipboard (that needs https and the browser's permission). Press Ctrl+C (⌘C) to copy:</p>
      <textarea ref={area} readOnly value={text} rows={14} />
      <form method="dialog">
        <button type="submit">Close</button>
      </form>
    </dialog>
  );
}
