import { useEffect, useState } from 'react';
import type { Capture } from '../../../protocol/index.js';
import { CapturePage } from '../features/captures/capture-page.js';
import { SignInForm } from '../features/auth/sign-in-form.js';
import { encodeView } from '../features/panes/url-state.js';
import { ApiError, describeApiError } from '../lib/api/api-client.js';
import { writeClipboard } from '../lib/clipboard.js';
import { downloadText } from '../lib/download.js';
import type { HubApiClient } from '../lib/api/hub-api.js';
import { loadToken, saveToken } from '../lib/api/token-store.js';

type LoadState =
  | { status: 'loading' }
  | { status: 'loaded'; capture: Capture }
  | { status: 'unauthorized'; tokenRejected: boolean }
  | { status: 'missing' }
  | { status: 'error'; message: string };

interface CaptureRouteProps {
  id: string;
  api: Pick<HubApiClient, 'getCapture'>;
}

/** `/captures/<id>`: one saved capture, read-only. Signs in like the live view when the hub wants a token. */
export function CaptureRoute({ id, api }: CaptureRouteProps) {
  const [state, setState] = useState<LoadState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setState({ status: 'loading' });
    api.getCapture(id, controller.signal).then(
      (capture) => {
        if (!controller.signal.aborted) setState({ status: 'loaded', capture });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && error.status === 401) setState({ status: 'unauthorized', tokenRejected: loadToken() !== undefined });
        else if (error instanceof ApiError && error.status === 404) setState({ status: 'missing' });
        else setState({ status: 'error', message: describeApiError(error, 'load this capture') });
      },
    );
    return () => controller.abort();
  }, [api, id, attempt]);

  useEffect(() => {
    document.title = state.status === 'loaded' ? `${state.capture.title} · supergrep capture` : 'supergrep capture';
  }, [state]);

  return (
    <div className="app app--page">
      <header className="topbar">
        <a className="topbar__brand" href="/">
          supergrep
        </a>
        <span className="topbar__section">Capture</span>
      </header>
      <main className="page-scroll">
        {state.status === 'loading' && <p className="page-note">Loading the capture…</p>}
        {state.status === 'missing' && (
          <p className="page-note" role="alert">
            There is no capture {id} on this hub. Check the link.
          </p>
        )}
        {state.status === 'error' && (
          <p className="page-note page-note--error" role="alert">
            {state.message}{' '}
            <button type="button" onClick={() => setAttempt((n) => n + 1)}>
              Retry
            </button>
          </p>
        )}
        {state.status === 'loaded' && (
          <CapturePage
            capture={state.capture}
            permalink={`${window.location.origin}${window.location.pathname}`}
            liveUrl={state.capture.filter ? `/${encodeView({ panes: [state.capture.filter], active: 0, layout: 'split' }).search}` : undefined}
            copyText={writeClipboard}
            download={downloadText}
          />
        )}
      </main>
      {state.status === 'unauthorized' && (
        <SignInForm
          tokenRejected={state.tokenRejected}
          onSubmit={(token) => {
            saveToken(token);
            setAttempt((n) => n + 1);
          }}
        />
      )}
    </div>
  );
}
