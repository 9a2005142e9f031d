import type { ReactNode } from 'react';
import './selection.css';

interface SelectionBarProps {
  count: number;
  /** Lines selected earlier that the buffer bound has since evicted. */
  missing: number;
  feedback: string | undefined;
  onCopyMarkdown(): void;
  onCopyText(): void;
  onClear(): void;
  /** More actions on the selection (a later "Save capture" goes here). */
  children?: ReactNode;
}

export function SelectionBar({ count, missing, feedback, onCopyMarkdown, onCopyText, onClear, children }: SelectionBarProps) {
  return (
    <div className="selection-bar" role="toolbar" aria-label="Selected lines">
      <span className="selection-bar__count">
        {count === 1 ? '1 line selected' : `${count.toLocaleString()} lines selected`}
        {missing > 0 && ` (${missing.toLocaleString()} no longer in the buffer)`}
      </span>
      <button type="button" onClick={onCopyMarkdown} disabled={count === 0}>
        Copy Markdown
      </button>
      <button type="button" onClick={onCopyText} disabled={count === 0}>
        Copy text
      </button>
      {children}
      <button type="button" className="selection-bar__clear" onClick={onClear} title="Clear selection (Esc)">
        Clear
      </button>
      <span className="selection-bar__feedback" role="status">
        {feedback}
      </span>
    </div>
  );
}
