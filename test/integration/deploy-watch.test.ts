import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Deploy, DeployVerdicts, Pin, Verdict, VerdictKind } from '../../protocol/index.js';
import { CliProcess } from '../helpers/cli-process.js';
import { useScratch } from '../helpers/scratch.js';
import { waitFor } from '../helpers/wait.js';

const TOKEN = 'ci-secret';
const D = Date.UTC(2026, 11, 7, 12, 0, 0);
const PINS: Pin[] = [
  { id: 'p-errors', name: 'api errors', query: 'ERROR', createdAt: D - 7_200_000 },
  { id: 'p-5xx', name: 'checkout 5xx', query: 'status=5\\d\\d', createdAt: D - 7_200_000 },
];

/** One step of a pin's verdict as the hub would report it, `elapsed` ms into a 10-minute window. */
function step(pin: Pin, verdict: VerdictKind, elapsed: number, final = false): Verdict {
  const counts = { worse: [40, 30], better: [1, 30], unchanged: [5, 30], 'too-few': [1, 2] }[verdict];
  return {
    deployId: 'd1',
    pinId: pin.id,
    pinName: pin.name,
    verdict,
    final,
    windowFrom: D,
    windowTo: D + 600_000,
    windowElapsedMs: elapsed,
    windowCount: counts[0]!,
    baselineFrom: D - 3_600_000,
    baselineTo: D,
    baselineCoveredMs: verdict === 'too-few' ? 900_000 : 3_600_000,
    baselineCount: counts[1]!,
    ratio: (counts[0]! / elapsed) / (counts[1]! / 3_600_000),
    pValue: verdict === 'worse' ? 1e-6 : 0.4,
    updatedAt: D + elapsed,
  };
}

/**
 * The two hub endpoints `deploy --watch` uses (and GET /api/pins), on a real loopback socket. Each
 * GET of the verdicts answers the next entry of `script` (the last one again once it runs out), so
 * the hub's answers, not time, drive the watch; `afterPoll` runs once an answer is sent.
 */
class ScriptedHub {
  readonly posted: unknown[] = [];
  polls = 0;
  private server: Server | undefined;
  private port = 0;

  constructor(
    private readonly script: Verdict[][],
    private readonly afterPoll: (poll: number) => void = () => {},
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.answer(req, res));
    this.server.listen(this.port, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    const closed = once(server, 'close');
    server.close();
    server.closeAllConnections();
    await closed;
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const send = (status: number, json: unknown, done?: () => void) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json), done);
    };
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, { error: { code: 'SG_ERR_UNAUTHORIZED', message: 'a token is required' } });
    if (req.method === 'GET' && req.url === '/api/pins') return send(200, PINS);
    if (req.method === 'POST' && req.url === '/api/deploys') {
      const posted = JSON.parse(body) as { label: string; windowMs?: number };
      this.posted.push(posted);
      const deploy: Deploy = { id: 'd1', label: posted.label, startedAt: D, createdAt: D, ...(posted.windowMs ? { windowMs: posted.windowMs } : {}) };
      return send(201, deploy);
    }
    if (req.method === 'GET' && req.url === '/api/deploys/d1/verdicts') {
      const verdicts = this.script[Math.min(this.polls, this.script.length - 1)]!;
      this.polls += 1;
      const poll = this.polls;
      const answer: DeployVerdicts = { deploy: { id: 'd1', label: 'web v2', startedAt: D, createdAt: D, windowMs: 600_000 }, alpha: 0.01, verdicts };
      return send(200, answer, () => this.afterPoll(poll));
    }
    send(404, { error: { code: 'SG_ERR_NOT_FOUND', message: 'no such route' } });
  }
}

describe('supergrep deploy --watch', () => {
  const scratch = useScratch();
  const hubs: ScriptedHub[] = [];
  afterEach(async () => {
    await Promise.all(hubs.splice(0).map((hub) => hub.stop()));
  });

  async function scriptedHub(script: Verdict[][], afterPoll?: (poll: number) => void): Promise<ScriptedHub> {
    const hub = new ScriptedHub(script, afterPoll);
    hubs.push(hub);
    await hub.start();
    return hub;
  }

  function watch(hub: ScriptedHub, ...args: string[]): CliProcess {
    const cli = new CliProcess(['deploy', '--hub', hub.url, '--token', TOKEN, '--watch', '10m', '--poll-interval', '50ms', ...args, 'web v2']);
    scratch.processes.push(cli);
    return cli;
  }

  const [errors, fivexx] = [PINS[0]!, PINS[1]!];

  it('exits 3 when a pin is worse once the window is final, printing each change', async () => {
    const hub = await scriptedHub([
      [step(errors, 'unchanged', 10_000), step(fivexx, 'unchanged', 10_000)],
      [step(errors, 'unchanged', 20_000), step(fivexx, 'unchanged', 20_000)],
      [step(errors, 'worse', 300_000), step(fivexx, 'unchanged', 300_000)],
      [step(errors, 'worse', 600_000, true), step(fivexx, 'unchanged', 600_000, true)],
    ]);
    const cli = watch(hub);
    expect((await cli.closed).code).toBe(3);
    expect(hub.posted).toEqual([expect.objectContaining({ label: 'web v2', windowMs: 600_000 })]);
    expect(hub.polls).toBe(4);
    expect(cli.stdoutLines).toEqual([
      'deploy d1 "web v2" marked; watching 10m for 2 pins: api errors, checkout 5xx',
      expect.stringMatching(/^api errors: unchanged, after 5 in 10s, before 30 in 1h, ratio 60\.00, p=0\.4$/),
      expect.stringMatching(/^checkout 5xx: unchanged, /),
      expect.stringMatching(/^api errors: worse, after 40 in 5m, before 30 in 1h, ratio 16\.00, p=1e-6$/),
      expect.stringMatching(/^api errors: worse, after 40 in 10m, .*, final$/),
      expect.stringMatching(/^checkout 5xx: unchanged, .*, final$/),
      'result: 1 of 2 pins worse after the deploy: api errors; exit 3',
    ]);
  });

  it('exits 0 when every pin is unchanged once the window is final', async () => {
    const hub = await scriptedHub([
      [step(errors, 'unchanged', 10_000), step(fivexx, 'better', 10_000)],
      [step(errors, 'unchanged', 600_000, true), step(fivexx, 'better', 600_000)],
      [step(errors, 'unchanged', 600_000, true), step(fivexx, 'better', 600_000, true)],
    ]);
    const cli = watch(hub);
    expect((await cli.closed).code).toBe(0);
    expect(hub.polls).toBe(3);
    expect(cli.stdoutLines.at(-1)).toBe('result: no pin worse after the deploy (1 unchanged, 1 better); exit 0');
  });

  it('exits 0 when there are too few matches to tell, and says so', async () => {
    const hub = await scriptedHub([[step(errors, 'too-few', 10_000)], [step(errors, 'too-few', 600_000, true)]]);
    const cli = watch(hub, '--pin', 'api errors');
    expect((await cli.closed).code).toBe(0);
    expect(cli.stdoutLines).toContainEqual(expect.stringMatching(/^api errors: too few matches to tell, .*baseline covered 15m of 1h, final$/));
    expect(cli.stdoutLines.at(-1)).toBe('result: no pin worse after the deploy (1 too few matches to tell); exit 0');
  });

  it('judges only the pins named with --pin', async () => {
    const hub = await scriptedHub([[step(errors, 'unchanged', 600_000, true), step(fivexx, 'worse', 600_000, true)]]);
    const cli = watch(hub, '--pin', 'api errors');
    expect((await cli.closed).code).toBe(0);
    expect(cli.output()).not.toMatch(/checkout 5xx/);
  });

  it('exits 3 with --fail-fast at the first worse verdict, before the window is final', async () => {
    const hub = await scriptedHub([
      [step(errors, 'unchanged', 10_000), step(fivexx, 'unchanged', 10_000)],
      [step(errors, 'unchanged', 20_000), step(fivexx, 'worse', 20_000)],
      [step(errors, 'unchanged', 30_000), step(fivexx, 'worse', 30_000)],
    ]);
    const cli = watch(hub, '--fail-fast');
    expect((await cli.closed).code).toBe(3);
    // The hub never said final: the second answer decided.
    expect(hub.polls).toBe(2);
    expect(cli.stdoutLines.at(-1)).toBe('result: 1 of 2 pins worse after the deploy: checkout 5xx (--fail-fast: before the window ended); exit 3');
  });

  it('exits 1 for an unknown --pin, naming the hub\'s pins, without posting a deploy', async () => {
    const hub = await scriptedHub([[]]);
    const cli = watch(hub, '--pin', 'api errors', '--pin', 'api erors');
    expect((await cli.closed).code).toBe(1);
    expect(cli.stderrLines.join('\n')).toBe('supergrep: no pin named "api erors" on the hub (its pins: "api errors", "checkout 5xx"); no deploy was posted');
    expect(hub.posted).toEqual([]);
  });

  it('keeps watching through a hub restart and still exits on its final verdicts', async () => {
    const hub: ScriptedHub = await scriptedHub(
      [[step(errors, 'unchanged', 10_000)], [step(errors, 'unchanged', 20_000)], [step(errors, 'worse', 600_000, true)]],
      (poll) => {
        if (poll === 2) void hub.stop();
      },
    );
    const cli = watch(hub, '--pin', 'api errors');
    await waitFor('the CLI to retry the stopped hub', () => cli.stderrLines.some((line) => /cannot reach .*; retrying in/.test(line)));
    expect(cli.running).toBe(true);
    await hub.start();
    expect((await cli.closed).code).toBe(3);
    expect(hub.polls).toBe(3);
    expect(cli.stdoutLines.at(-1)).toBe('result: 1 of 1 pins worse after the deploy: api errors; exit 3');
  });

  it('exits 1 when the hub stays away longer than --timeout', async () => {
    const hub: ScriptedHub = await scriptedHub([[step(errors, 'unchanged', 10_000)]], () => void hub.stop());
    const cli = watch(hub, '--timeout', '1s');
    expect((await cli.closed).code).toBe(1);
    expect(cli.stderrLines.at(-1)).toMatch(/^supergrep: cannot reach http:\/\/127\.0\.0\.1:\d+: .*; gave up after \ds without an answer \(--timeout\)$/);
  });

  it('writes NDJSON with --json: the deploy, each change, and a summary', async () => {
    const hub = await scriptedHub([[step(errors, 'unchanged', 10_000)], [step(errors, 'worse', 600_000, true)]]);
    const cli = watch(hub, '--json', '--pin', 'api errors');
    expect((await cli.closed).code).toBe(3);
    const records = cli.stdoutLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((record) => record.type)).toEqual(['deploy', 'verdict', 'verdict', 'summary']);
    expect(records[0]).toMatchObject({ deploy: { id: 'd1', label: 'web v2', windowMs: 600_000 }, windowMs: 600_000, pins: [{ id: 'p-errors', name: 'api errors' }] });
    expect(records[2]).toEqual({ type: 'verdict', ...step(errors, 'worse', 600_000, true) });
    expect(records[3]).toEqual({ type: 'summary', exitCode: 3, worse: ['api errors'], early: false, verdicts: [step(errors, 'worse', 600_000, true)] });
  });

  it('exits 1 on an answer that is not a verdict list', async () => {
    const hub = await scriptedHub([[{ pinId: 'p-errors' } as unknown as Verdict]]);
    const cli = watch(hub);
    expect((await cli.closed).code).toBe(1);
    expect(cli.stderrLines.join('\n')).toMatch(/GET \/api\/deploys\/d1\/verdicts: unexpected answer from the hub/);
  });

  it.each([
    [['--watch', '30s'], /--watch 30s: expected from 1m to 24h/],
    [['--pin', 'api errors'], /--pin only apply with --watch/],
    [['--fail-fast', '--json'], /--json, --fail-fast only apply with --watch/],
  ])('exits 2 for %j before asking the hub anything', async (args, message) => {
    const hub = await scriptedHub([[]]);
    const cli = new CliProcess(['deploy', '--hub', hub.url, '--token', TOKEN, ...args, 'web v3']);
    scratch.processes.push(cli);
    expect((await cli.closed).code).toBe(2);
    expect(cli.stderrLines.join('\n')).toMatch(message);
    expect(hub.posted).toEqual([]);
  });

  it('posts a deploy and prints it without --watch, as before', async () => {
    const hub = await scriptedHub([[]]);
    const cli = new CliProcess(['deploy', '--hub', hub.url, '--token', TOKEN, 'web v3']);
    scratch.processes.push(cli);
    expect((await cli.closed).code).toBe(0);
    expect(hub.posted).toEqual([expect.not.objectContaining({ windowMs: expect.anything() })]);
    expect(JSON.parse(cli.stdoutLines.join('\n'))).toMatchObject({ id: 'd1', label: 'web v3' });
  });
});
