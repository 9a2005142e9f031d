/**
 * The baseline of the firehose benchmark: the simplest live list a person would write. It subscribes
 * to the hub like the UI (same socket, same filter), appends one DOM row per line as each message
 * arrives (no virtualization, no batching per frame), removes the oldest rows beyond the same bound
 * as the UI's (50,000 lines), and follows the bottom while the user is at the bottom. A text box
 * at the top takes the typing test; it filters nothing.
 *
 * The benchmark serves it itself (plain-list-server.ts), on an origin the hub is told to accept.
 */

export interface PlainListConfig {
  /** The hub's WebSocket base URL, e.g. ws://127.0.0.1:7070. */
  hubWsUrl: string;
  query: string;
  maxRows: number;
  backlog: number;
}

interface ListElement {
  scrollTop: number;
  readonly scrollHeight: number;
  readonly clientHeight: number;
  readonly childElementCount: number;
  readonly firstChild: unknown;
  removeChild(child: unknown): void;
  append(...nodes: unknown[]): void;
}

interface PlainListGlobals {
  WebSocket: new (url: string) => {
    send(text: string): void;
    addEventListener(type: 'message', listener: (event: { data: string }) => void): void;
    addEventListener(type: 'open', listener: () => void): void;
  };
  document: {
    getElementById(id: string): ListElement;
    createElement(tag: string): { className: string; textContent: string; append(...nodes: unknown[]): void };
    createTextNode(text: string): unknown;
  };
  __plainList?: { received: number; dropped: number; subscribed: boolean };
}

interface WireLine {
  ts: number;
  host: string;
  file: string;
  line: string;
  ranges: [number, number][];
}

/** Runs in the page; serialized into the page's script by `plainListHtml`, so it must be self-contained. */
function runPlainList(config: PlainListConfig): void {
  const page = globalThis as unknown as PlainListGlobals;
  const list = page.document.getElementById('list');
  const stats = { received: 0, dropped: 0, subscribed: false };
  page.__plainList = stats;
  const socket = new page.WebSocket(`${config.hubWsUrl}/ws/client`);
  socket.addEventListener('open', () => socket.send(JSON.stringify({ type: 'hello', protocolVersion: 1, client: 'bench-plain-list' })));

  const row = (line: WireLine) => {
    const div = page.document.createElement('div');
    div.className = 'row';
    const time = page.document.createElement('span');
    time.className = 'time';
    time.textContent = new Date(line.ts).toISOString().slice(11, 23);
    const host = page.document.createElement('span');
    host.className = 'host';
    host.textContent = line.host;
    div.append(time, host);
    // The hub's first match range as a <mark>, like the UI's highlighting.
    const range = line.ranges[0];
    if (range) {
      const mark = page.document.createElement('mark');
      mark.textContent = line.line.slice(range[0], range[1]);
      div.append(page.document.createTextNode(line.line.slice(0, range[0])), mark, page.document.createTextNode(line.line.slice(range[1])));
    } else {
      div.append(page.document.createTextNode(line.line));
    }
    return div;
  };

  socket.addEventListener('message', (event) => {
    const message = JSON.parse(event.data) as { type: string; lines?: WireLine[]; count?: number };
    if (message.type === 'welcome') {
      socket.send(JSON.stringify({ type: 'subscribe', sub: 'plain', backlog: config.backlog, filter: { query: config.query } }));
    } else if (message.type === 'subscribed') {
      stats.subscribed = true;
    } else if (message.type === 'dropped') {
      stats.dropped += message.count ?? 0;
    } else if (message.type === 'matches' && message.lines) {
      const following = list.scrollTop + list.clientHeight >= list.scrollHeight - 30;
      for (const line of message.lines) {
        list.append(row(line));
        if (list.childElementCount > config.maxRows) list.removeChild(list.firstChild);
      }
      stats.received += message.lines.length;
      if (following) list.scrollTop = list.scrollHeight;
    }
  });
}

/** The whole page: a text box, the list, and the script above started with `config`. */
export function plainListHtml(config: PlainListConfig): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>plain list baseline</title>
<style>
  body { margin: 0; font: 12px/20px monospace; display: flex; flex-direction: column; height: 100vh; }
  input { margin: 6px; font: inherit; }
  #list { flex: 1; overflow: auto; }
  .row { white-space: pre; overflow: hidden; height: 20px; }
  .time, .host { color: #666; margin-right: 0.7em; }
</style></head>
<body><input aria-label="Filter pattern" value=""><div id="list"></div>
<script>(${runPlainList.toString()})(${JSON.stringify(config).replace(/</g, '\\u003c')});</script>
</body></html>`;
}
