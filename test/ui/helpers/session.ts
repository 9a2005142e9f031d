import { Session } from '../../../ui/src/app/session.js';
import { decodeView } from '../../../ui/src/features/panes/url-state.js';
import { ViewStore } from '../../../ui/src/features/panes/view-store.js';
import { HubClient } from '../../../ui/src/lib/hub-client.js';
import { FakeHub, ManualFrames } from './fake-hub.js';

/** A Session over a fake hub, as the page would build it from `search` and `hash`. */
export function fakeSession(search = '', hash = '', options: { getToken?: () => string | undefined; capacity?: number } = {}) {
  const hub = new FakeHub();
  const frames = new ManualFrames();
  const client = new HubClient({
    url: 'ws://hub.test/ws/client',
    socketFactory: hub.factory,
    scheduler: frames,
    random: () => 0.5,
    ...(options.getToken ? { getToken: options.getToken } : {}),
  });
  const session = new Session(client, new ViewStore(decodeView(search, hash)), options.capacity ?? 1000);
  return { hub, frames, client, session };
}
