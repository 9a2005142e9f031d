import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliProcess } from '../helpers/cli-process.js';
import { metricValue } from '../helpers/http-api.js';
import { Collector, join, numbered, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const BUILT_INDEX = fileURLToPath(new URL('../../dist/ui/index.html', import.meta.url));

async function metrics(hub: TestHub): Promise<string> {
  return (await fetch(`${hub.url}/metrics`)).text();
}

describe('limits and headers through the real CLI', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const processes: CliProcess[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
  });
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.stop()));
    await cleanup();
  });

  async function hubWith(config: Record<string, unknown>): Promise<TestHub> {
    const file = join(dir, 'hub.json');
    await writeFile(file, JSON.stringify(config));
    const hub = await startHub({ dataDir: join(dir, 'hub'), args: ['--config', file] });
    processes.push(hub.process);
    return hub;
  }

  it('drops and counts an agent\u2019s lines over maxAgentLinesPerSec, and logs it once', async () => {
    const hub = await hubWith({ maxAgentLinesPerSec: 100 });
    const log = join(dir, 'burst.log');
    await writeFile(log, '');
    const agent = startAgent({ hubs: [hub.wsUrl], paths: [log], stateFile: join(dir, 'a.json'), name: 'bursty' });
    processes.push(agent);
    await waitForFollowing(agent, log);
    const viewer = await new Collector(hub.url, { query: 'burst' }).ready();
    const total = 5_000;
    await writeFile(log, numbered('burst', total).map((line) => `${line}\n`).join(''));
    // Every line is either delivered or counted as dropped: nothing waits in a buffer.
    const counts = await waitFor('every line to be taken or dropped', async () => {
      const text = await metrics(hub);
      const taken = metricValue(text, 'supergrep_agent_lines_total{host="bursty"}') ?? 0;
      const dropped = metricValue(text, 'supergrep_agent_rate_dropped_lines_total{host="bursty"}') ?? 0;
      return taken + dropped === total ? { taken, dropped } : undefined;
    });
    expect(counts.dropped).toBeGreaterThan(total / 2);
    await viewer.waitForCount(counts.taken);
    expect(viewer.lines).toHaveLength(counts.taken);
    // The first lines go through (the bucket starts full), the rest of the burst is what is dropped.
    expect(viewer.texts().slice(0, 100)).toEqual(numbered('burst', 100));
    const warnings = hub.process.logs().filter((r) => r.msg === 'agent sends more lines than maxAgentLinesPerSec; dropping the excess');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ host: 'bursty', maxAgentLinesPerSec: 100 });
    // The agent saw its lines acknowledged and is not stuck re-sending them.
    expect(agent.running).toBe(true);
    viewer.close();
  });

  it('refuses a viewer over maxViewers with a readable SG_ERR_LIMIT; tail says so too', async () => {
    const hub = await hubWith({ maxViewers: 1 });
    const first = await new Collector(hub.url, { query: 'x' }).ready();
    const second = new Collector(hub.url, { query: 'x' });
    await waitFor('the refusal', () => second.errors.length > 0);
    expect(second.errors[0]).toBe('SG_ERR_LIMIT: the hub already has 1 viewers connected (maxViewers); try again later');
    second.close();
    const tail = new CliProcess(['tail', '--hub', hub.url, 'x']);
    processes.push(tail);
    await waitFor('tail to report the limit', () => tail.stderrLines.find((line) => line.includes('maxViewers')));
    await tail.stop();
    first.close();
  });

  it('refuses a pattern over the length limit with a message naming both lengths', async () => {
    const hub = await hubWith({});
    const tail = new CliProcess(['tail', '--hub', hub.url, 'a'.repeat(2000)]);
    processes.push(tail);
    expect((await tail.exited).code).toBe(2);
    expect(tail.stderrLines.join('\n')).toContain('the pattern is 2000 characters long; the hub accepts at most 1024');
    const pin = await fetch(`${hub.url}/api/pins`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'p', query: 'b'.repeat(1500) }) });
    expect(pin.status).toBe(400);
    expect(await pin.json()).toEqual({ error: { code: 'SG_ERR_BAD_REQUEST', message: 'query: the pattern is 1500 characters long; the hub accepts at most 1024' } });
  });

  it('serves the built UI with a strict CSP, and the UI needs no inline script or style', async () => {
    const hub = await hubWith({});
    const page = await fetch(`${hub.url}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toBe(await readFile(BUILT_INDEX, 'utf8'));
    expect(page.headers.get('content-security-policy')).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self' ws: wss:; " +
        "frame-ancestors 'none'; form-action 'self'; object-src 'none'; base-uri 'none'",
    );
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    // Every script has a src, there is no <style> element and no style attribute, no inline handler.
    const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [tag, body] of scripts) {
      expect(tag).toMatch(/\ssrc="\/[^"]+"/);
      expect(body!.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
  });
});
