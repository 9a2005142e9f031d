import { Session } from '../../../ui/src/app/session.js';
import { decodeView } from '../../../ui/src/features/panes/url-state.js';
import { ViewStore } from '../../../ui/src/features/panes/view-store.js';
import { HubClient } from '../../../ui/src/lib/hub/hub-client.js';
import { FakeApi } from './fake-api.js';
import { FakeHub, ManualFrames } from './fake-hub.js';

/** A Session over a fake hub and a fake HTTP API, as the page would build it from `search` and `hash`. */
export function fakeSession(search = '', hash = '', options: { getToken?: () => string | undefined; capacity?: number; api?: FakeApi } = {}) {
  const hub = new FakeHub();
  const frames = new ManualFrames();
  const client = new HubClient({
    url: 'ws://hub.test/ws/client',
    socketFactory: hub.factory,
    scheduler: frames,
    backoff: { random: () => 0.5 },
    ...(options.getToken ? { getToken: options.getToken } : {}),
  });
  const api = options.api ?? new FakeApi();
  const session = new Session(client, new ViewStore(decodeView(search, hash)), { capacity: options.capacity ?? 1000, api });
  return { hub, frames, client, session, api };
}
