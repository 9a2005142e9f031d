import { useId, useState } from 'react';
import { describeApiError } from '../../lib/api/api-client.js';
import { MAX_CAPTURE_LINES, MAX_CAPTURE_TITLE } from './capture-lines.js';
import './captures.css';

interface CaptureFormProps {
  /** Selected lines still held (the ones that will be saved). */
  lineCount: number;
  /** Saves the capture; rejects with the hub's error, shown in the form. */
  onSave(title: string): Promise<void>;
  onClose(): void;
}

/** "Save capture": a title for the selected lines, then one request; the link is shown by the caller. */
export function CaptureForm({ lineCount, onSave, onClose }: CaptureFormProps) {
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const id = useId();
  const trimmed = title.trim();
  const tooMany = lineCount > MAX_CAPTURE_LINES;
  const problem = tooMany
    ? `A capture holds at most ${MAX_CAPTURE_LINES.toLocaleString()} lines; ${lineCount.toLocaleString()} are selected. Select fewer.`
    : lineCount === 0
      ? 'The selected lines are no longer in the buffer.'
      : undefined;

  return (
    <form
      className="inline-form capture-form"
      aria-label="Save capture"
      onSubmit={(event) => {
        event.preventDefault();
        if (trimmed === '' || busy || problem) return;
        setBusy(true);
        setError(undefined);
        onSave(trimmed).then(
          () => setBusy(false),
          (failure: unknown) => {
            setBusy(false);
            setError(describeApiError(failure, 'save this capture'));
          },
        );
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          // Esc closes the form only; the page's Esc would also clear the selection being saved.
          event.stopPropagation();
          onClose();
        }
      }}
    >
      <label htmlFor={id}>Capture title</label>
      <input
        id={id}
        type="text"
        value={title}
        maxLength={MAX_CAPTURE_TITLE}
        autoFocus
        autoComplete="off"
        placeholder="What these lines show, e.g. checkout 502s after web v1.2.3"
        onChange={(event) => setTitle(event.target.value)}
      />
      <button type="submit" disabled={busy || trimmed === '' || problem !== undefined}>
        {busy ? 'Saving…' : `Save ${lineCount.toLocaleString()} ${lineCount === 1 ? 'line' : 'lines'}`}
      </button>
      <button type="button" onClick={onClose} disabled={busy}>
        Cancel
      </button>
      <span className="inline-form__hint">Anyone with the link and access to this hub can read it.</span>
      {(problem ?? error) && (
        <p className="inline-form__error" role="alert">
          {problem ?? error}
        </p>
      )}
    </form>
  );
}
