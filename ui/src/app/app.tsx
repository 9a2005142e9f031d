import { PROTOCOL_VERSION } from '../../../protocol/index.js';

export function App() {
  return <main>supergrep (protocol v{PROTOCOL_VERSION})</main>;
}
