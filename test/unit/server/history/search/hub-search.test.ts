import { afterEach, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../../../helpers/hub-harness.js';
import { api } from '../../../../helpers/http-api.js';
import { MemoryHistory } from '../../../../helpers/memory-history.js';

/** The hub mounts /api/search over the history it is given, and answers 404 without one. */
describe('hub wiring of /api/search', () => {
  let hub: TestHub | undefined;
  afterEach(async () => {
    await hub?.close();
    hub = undefined;
  });

  it('searches the history the hub was given', async () => {
    const history = new MemoryHistory();
    history.append(history.source('web-1', 'a.log'), Date.now(), ['boom', 'fine']);
    hub = await startTestHub({}, { history });
    const answer = await api(hub.url, 'GET', '/api/search?q=boom&from=1h');
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('"line":"boom"');
    expect(answer.text.trimEnd().split('\n').at(-1)).toBe('{"type":"done","count":1,"partial":false}');
  });

  it('says history is off without one', async () => {
    hub = await startTestHub({ history: false });
    const answer = await api(hub.url, 'GET', '/api/search/histogram?q=boom');
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ error: { code: 'SG_ERR_NOT_FOUND', message: 'history is off on this hub' } });
  });
});
