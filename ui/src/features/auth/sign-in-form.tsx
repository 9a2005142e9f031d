import { useId, useState } from 'react';

interface SignInFormProps {
  /** The hub refused the token we sent (as opposed to: we had none). */
  tokenRejected: boolean;
  onSubmit(token: string): void;
}

/** Asked for when the hub requires a token. The token is kept in this browser's localStorage. */
export function SignInForm({ tokenRejected, onSubmit }: SignInFormProps) {
  const [token, setToken] = useState('');
  const inputId = useId();
  return (
    <div className="sign-in" role="dialog" aria-modal="true" aria-labelledby={`${inputId}-title`}>
      <form
        className="sign-in__card"
        onSubmit={(event) => {
          event.preventDefault();
          const value = token.trim();
          if (value) onSubmit(value);
        }}
      >
        <h1 id={`${inputId}-title`}>Sign in to this hub</h1>
        <p>This supergrep hub needs a viewer token. Ask whoever runs it; it is kept in this browser.</p>
        {tokenRejected && (
          <p className="sign-in__error" role="alert">
            The hub did not accept that token. Enter a valid one.
          </p>
        )}
        <label htmlFor={inputId}>Token</label>
        <input
          id={inputId}
          type="password"
          autoComplete="off"
          spellCheck={false}
          autoFocus
          value={token}
          onChange={(event) => setToken(event.target.value)}
        />
        <button type="submit" disabled={token.trim() === ''}>
          Sign in
        </button>
      </form>
    </div>
  );
}
