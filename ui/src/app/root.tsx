import { useState } from 'react';
// Base styles first, so the features' own rules come after them in the bundle.
import './app.css';
import { captureIdFromPath } from '../features/captures/capture-lines.js';
import { HubApi } from '../lib/api/hub-api.js';
import { loadToken } from '../lib/api/token-store.js';
import { App } from './app.js';
import { CaptureRoute } from './capture-route.js';

/** The hub serves this app at every path: `/captures/<id>` is a saved capture, anything else the live view. */
export function Root() {
  const [captureId] = useState(() => captureIdFromPath(window.location.pathname));
  const [api] = useState(() => new HubApi({ getToken: loadToken }));
  return captureId !== undefined ? <CaptureRoute id={captureId} api={api} /> : <App />;
}
