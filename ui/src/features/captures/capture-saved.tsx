import { useState } from 'react';
import './captures.css';

interface CaptureSavedProps {
  title: string;
  /** The absolute permalink. */
  url: string;
  /** Writes to the clipboard; resolves false when the page may not (the caller shows the text instead). */
  onCopy(url: string): Promise<boolean>;
  onDismiss(): void;
}

/** After saving: the permalink to paste into the incident channel or the post-mortem, with a copy button. */
export function CaptureSaved({ title, url, onCopy, onDismiss }: CaptureSavedProps) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="capture-saved" role="status" aria-label="Capture saved">
      <span>
        Saved “{title}”:{' '}
        <a className="capture-saved__link" href={url} target="_blank" rel="noopener noreferrer">
          {url}
        </a>
      </span>
      <button type="button" onClick={() => void onCopy(url).then(setCopied)}>
        {copied ? 'Copied' : 'Copy link'}
      </button>
      <button type="button" onClick={onDismiss} aria-label="Dismiss">
        ✕
      </button>
    </div>
  );
}
