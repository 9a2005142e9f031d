import { useId, useState } from 'react';
import { describeApiError } from '../../lib/api/api-client.js';

/** Longest pin name the hub takes. */
const MAX_PIN_NAME = 100;

interface PinFormProps {
  /** What the name field starts with (the pattern, say). */
  suggestedName: string;
  /** Creates the pin; rejects with the hub's error, shown in the form. */
  onCreate(name: string): Promise<void>;
  onClose(): void;
}

/** "Pin this filter": asks for a name in place (never window.prompt), then creates the pin. */
export function PinForm({ suggestedName, onCreate, onClose }: PinFormProps) {
  const [name, setName] = useState(() => suggestedName.slice(0, MAX_PIN_NAME));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const id = useId();
  const trimmed = name.trim();

  return (
    <form
      className="inline-form pin-form"
      aria-label="Pin this filter"
      onSubmit={(event) => {
        event.preventDefault();
        if (trimmed === '' || busy) return;
        setBusy(true);
        setError(undefined);
        onCreate(trimmed).then(
          () => {
            setBusy(false);
            onClose();
          },
          (failure: unknown) => {
            setBusy(false);
            setError(describeApiError(failure, 'pin this filter'));
          },
        );
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          // Esc closes the form only; the page's Esc (clear selection) is not for this.
          event.stopPropagation();
          onClose();
        }
      }}
    >
      <label htmlFor={id}>Pin name</label>
      <input
        id={id}
        type="text"
        value={name}
        maxLength={MAX_PIN_NAME}
        autoFocus
        autoComplete="off"
        spellCheck={false}
        placeholder="e.g. checkout errors"
        onChange={(event) => setName(event.target.value)}
      />
      <button type="submit" disabled={busy || trimmed === ''}>
        {busy ? 'Pinning…' : 'Pin'}
      </button>
      <button type="button" onClick={onClose} disabled={busy}>
        Cancel
      </button>
      <span className="inline-form__hint">Everyone on this hub sees the pin and its graph.</span>
      {error && (
        <p className="inline-form__error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
