import type { SourceAgent } from '../../protocol/index.js';

/** Bytes of `{"type":"sources","agents":[],"total":{"agents":N,"files":N}}` and a margin. */
const ENVELOPE_BYTES = 128;

function busy(agent: SourceAgent): number {
  return agent.files.reduce((sum, file) => sum + file.linesPerSec, 0);
}

/**
 * The `sources` message as JSON, at most `maxBytes` long. It goes to every viewer every few seconds,
 * so when the full list is longer, connected and busy hosts (and each one's busiest files) are
 * listed first, as many as fit, and `total` says how many the hub knows.
 */
export function sourcesMessageText(agents: readonly SourceAgent[], maxBytes: number): string {
  const full = JSON.stringify({ type: 'sources', agents });
  if (Buffer.byteLength(full) <= maxBytes) return full;
  const ranked = agents
    .map((agent) => ({ agent, rate: busy(agent) }))
    .sort((a, b) => Number(b.agent.connected) - Number(a.agent.connected) || b.rate - a.rate || (a.agent.host < b.agent.host ? -1 : 1));
  const listed: SourceAgent[] = [];
  let budget = maxBytes - ENVELOPE_BYTES;
  let files = 0;
  for (const { agent } of ranked) {
    files += agent.files.length;
    const { files: agentFiles, ...rest } = agent;
    const base = Buffer.byteLength(JSON.stringify({ ...rest, files: [] })) + 1;
    if (base > budget) continue;
    budget -= base;
    const kept = [];
    for (const file of [...agentFiles].sort((a, b) => b.linesPerSec - a.linesPerSec)) {
      const cost = Buffer.byteLength(JSON.stringify(file)) + 1;
      if (cost > budget) break;
      budget -= cost;
      kept.push(file);
    }
    listed.push({ ...rest, files: kept });
  }
  return JSON.stringify({ type: 'sources', agents: listed, total: { agents: agents.length, files } });
}
