import { writeFile } from 'node:fs/promises';
import { get } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess } from '../helpers/cli-process.js';
import { appendLines, Collector, join, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { makeTestCertificates, type TestCertificates } from '../helpers/test-ca.js';

const AGENT_TOKEN = 'agent-secret-tls-0123';
const VIEWER_TOKEN = 'viewer-secret-tls-4567';
const EDITOR_TOKEN = 'editor-secret-tls-89ab';

/** Status and headers of a GET over HTTPS trusting `ca` only. */
function httpsHead(url: string, ca: Buffer): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    }).on('error', reject);
  });
}

/** The hub serving HTTPS/WSS with a certificate from a private CA; clients verify it. */
describe('TLS', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let certs: TestCertificates;
  let hub: TestHub;
  const processes: CliProcess[] = [];

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    certs = await makeTestCertificates(dir);
    hub = await startHub({
      dataDir: join(dir, 'hub'),
      args: ['--tls-cert', certs.certFile, '--tls-key', certs.keyFile],
      env: { SUPERGREP_AGENT_TOKEN: AGENT_TOKEN, SUPERGREP_VIEWER_TOKEN: VIEWER_TOKEN, SUPERGREP_EDITOR_TOKEN: `ci:${EDITOR_TOKEN}` },
    });
    processes.push(hub.process);
  });

  afterAll(async () => {
    await Promise.all(processes.splice(0).map((p) => p.stop()));
    await cleanup();
  });

  it('listens on https and sends HSTS', async () => {
    expect(hub.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(hub.wsUrl).toMatch(/^wss:/);
    const answer = await httpsHead(`${hub.url}/healthz`, certs.ca);
    expect(answer.status).toBe(200);
    expect(answer.headers['strict-transport-security']).toBe('max-age=31536000');
  });

  it('streams from an agent given --ca to a viewer and to tail given --ca', async () => {
    const log = join(dir, 'app.log');
    await writeFile(log, '');
    const agent = startAgent({ hubs: [hub.wsUrl], paths: [log], stateFile: join(dir, 'agent.json'), token: AGENT_TOKEN, args: ['--ca', certs.caFile] });
    processes.push(agent);
    await waitForFollowing(agent, log);
    await agent.waitForLog('the agent to connect', (r) => r.msg === 'connected to hub');
    const viewer = await new Collector(hub.url, { query: 'over tls' }, { token: VIEWER_TOKEN, ca: certs.ca }).ready();
    const tail = new CliProcess(['tail', '--hub', hub.url, '--token', VIEWER_TOKEN, '--ca', certs.caFile, '--backlog', '10', 'over tls']);
    processes.push(tail);
    await appendLines(log, ['line 1 over tls', 'line 2 plain']);
    await viewer.waitForCount(1);
    expect(viewer.texts()).toEqual(['line 1 over tls']);
    expect(await tail.waitForStdout('the line, through tail', (line) => line.includes('line 1 over tls'))).toContain('test-host');
    viewer.close();
    await tail.stop();
  });

  it('refuses the hub\u2019s certificate without --ca, saying how to fix it, and never falls back to plain text', async () => {
    const log = join(dir, 'other.log');
    await writeFile(log, '');
    const agent = startAgent({ hubs: [hub.wsUrl], paths: [log], stateFile: join(dir, 'agent2.json'), token: AGENT_TOKEN, name: 'no-ca' });
    processes.push(agent);
    const refusal = await agent.waitForLog('the certificate refusal', (r) => r.msg === 'cannot connect to hub: TLS certificate not trusted');
    expect(refusal.level).toBe(50);
    expect(String(refusal.reason)).toMatch(/not signed by a trusted CA \((?:UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\): pass --ca FILE/);
    expect(agent.logs().some((r) => r.msg === 'connected to hub')).toBe(false);
    await agent.stop();

    const tail = new CliProcess(['tail', '--hub', hub.url, '--token', VIEWER_TOKEN, 'x']);
    processes.push(tail);
    expect((await tail.exited).code).toBe(1);
    expect(tail.stderrLines.join('\n')).toMatch(/the hub's TLS certificate is not signed by a trusted CA .*--ca FILE/);

    const deploy = new CliProcess(['deploy', '--hub', hub.url, '--token', EDITOR_TOKEN, 'web v1']);
    processes.push(deploy);
    expect((await deploy.exited).code).toBe(1);
    expect(deploy.stderrLines.join('\n')).toMatch(/TLS certificate is not signed by a trusted CA/);
  });

  it('posts a deploy marker over https with --ca', async () => {
    const deploy = new CliProcess(['deploy', '--hub', hub.url, '--token', EDITOR_TOKEN, '--ca', certs.caFile, '--by', 'ci', 'web v2']);
    processes.push(deploy);
    expect((await deploy.exited).code).toBe(0);
    expect(JSON.parse(deploy.stdoutLines[0]!)).toMatchObject({ label: 'web v2', by: 'ci', createdBy: 'ci' });
  });

  it('reports an unreadable --ca file as a usage error', async () => {
    const tail = new CliProcess(['tail', '--hub', hub.url, '--ca', join(dir, 'missing.pem'), 'x']);
    processes.push(tail);
    expect((await tail.exited).code).toBe(2);
    expect(tail.stderrLines.join('\n')).toMatch(/cannot read the CA file .*missing\.pem/);
  });

  it('refuses to start with a certificate but no key, or with a key that is not the certificate\u2019s', async () => {
    const half = new CliProcess(['hub', '--port', '0', '--data', join(dir, 'h2'), '--tls-cert', certs.certFile]);
    processes.push(half);
    expect((await half.exited).code).toBe(2);
    expect(half.stderrLines.join('\n')).toMatch(/tlsCertFile and tlsKeyFile go together/);
    const mismatched = new CliProcess(['hub', '--port', '0', '--data', join(dir, 'h3'), '--tls-cert', certs.certFile, '--tls-key', join(dir, 'ca.key')]);
    processes.push(mismatched);
    expect((await mismatched.exited).code).toBe(1);
    expect(mismatched.stderrLines.join('\n')).toMatch(/cannot use the TLS certificate .*hub\.pem with the key .*ca\.key/);
  });
});
