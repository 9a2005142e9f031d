import { describe, expect, it } from 'vitest';
import { sourcesSchema, type SourceAgent } from '../../../../protocol/index.js';
import { sourcesMessageText } from '../../../../server/viewers/sources-message.js';

function agent(host: string, connected: boolean, files: Array<[string, number]>): SourceAgent {
  return { host, connected, files: files.map(([path, linesPerSec]) => ({ path, linesPerSec })) };
}

describe('sourcesMessageText', () => {
  it('sends the whole list, without totals, when it fits', () => {
    const agents = [agent('web-1', true, [['/a.log', 3]])];
    expect(JSON.parse(sourcesMessageText(agents, 10_000))).toEqual({ type: 'sources', agents });
  });

  it('keeps a list of thousands of fake hosts under the limit, connected and busy ones first, and counts the rest', () => {
    const agents: SourceAgent[] = [];
    for (let i = 0; i < 3000; i += 1) agents.push(agent(`fake-${String(i).padStart(4, '0')}-${'x'.repeat(200)}`, false, [[`/var/log/${'y'.repeat(1000)}.log`, 0]]));
    agents.push(agent('web-1', true, [['/quiet.log', 0], ['/busy.log', 50]]));
    agents.push(agent('web-2', true, [['/app.log', 500]]));
    const text = sourcesMessageText(agents, 64 * 1024);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(64 * 1024);
    const message = sourcesSchema.parse(JSON.parse(text));
    expect(message.total).toEqual({ agents: 3002, files: 3003 });
    expect(message.agents.slice(0, 2)).toEqual([agent('web-2', true, [['/app.log', 500]]), agent('web-1', true, [['/busy.log', 50], ['/quiet.log', 0]])]);
    expect(message.agents.length).toBeGreaterThan(10);
    expect(message.agents.length).toBeLessThan(3002);
  });

  it('lists the busiest files of a host with more files than fit', () => {
    const files: Array<[string, number]> = Array.from({ length: 500 }, (_, i) => [`/logs/${String(i).padStart(3, '0')}-${'z'.repeat(100)}.log`, i]);
    const message = sourcesSchema.parse(JSON.parse(sourcesMessageText([agent('big', true, files)], 8 * 1024)));
    expect(message.total).toEqual({ agents: 1, files: 500 });
    const rates = message.agents[0]!.files.map((file) => file.linesPerSec);
    expect(rates[0]).toBe(499);
    expect(rates).toEqual([...rates].sort((a, b) => b - a));
  });
});
