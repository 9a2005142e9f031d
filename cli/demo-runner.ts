import { appendFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../agent/agent.js';
import { agentConfigSchema } from '../agent/agent-config.js';
import { LogGenerator } from '../lib/log-generator.js';
import { createLogger } from '../lib/logger.js';
import { resolveHubConfig } from '../server/config.js';
import { startHub } from '../server/hub.js';
import { untilSignal } from './parse-options.js';

const HOSTS = ['web-1', 'web-2'];

/** The `demo` command's options. */
export interface DemoFlags {
  port: number;
  rate: number;
  dir?: string;
}

/** The demo: a hub, an agent per pretend host, and a log generator, until Ctrl-C. */
export async function runDemo(flags: DemoFlags): Promise<void> {
  const logger = createLogger('demo', process.env.SUPERGREP_LOG_LEVEL ?? 'warn');
  const dir = flags.dir ?? (await mkdtemp(join(tmpdir(), 'supergrep-demo-')));
  const hub = await startHub(resolveHubConfig({ port: flags.port, dataDir: join(dir, 'hub-data'), logLevel: 'warn' }), logger.child({ part: 'hub' }));
  const agents = await Promise.all(HOSTS.map(async (host) => startDemoAgent(dir, host, hub.url, logger)));
  const stopWriting = startWriting(dir, flags.rate);
  const wsUrl = hub.url.replace(/^http/, 'ws');
  process.stdout.write(
    [
      `supergrep demo is running: open ${hub.url}`,
      `  logs are being written under ${dir}`,
      `  try in another terminal:  bin/supergrep tail --hub ${hub.url} 'status=5\\d\\d|ERROR'`,
      `  follow your own files too: bin/supergrep agent --hub ${wsUrl} --name $(hostname) '/var/log/*.log'`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  await untilSignal();
  stopWriting();
  await Promise.all(agents.map((agent) => agent.stop()));
  await hub.close();
  if (!flags.dir) await rm(dir, { recursive: true, force: true });
}

async function startDemoAgent(dir: string, host: string, hubUrl: string, logger: ReturnType<typeof createLogger>): Promise<Agent> {
  await mkdir(join(dir, host), { recursive: true });
  const config = agentConfigSchema.parse({
    hubs: [hubUrl.replace(/^http/, 'ws')],
    name: host,
    paths: [join(dir, host, '*.log')],
    stateFile: join(dir, host, '.agent-state.json'),
  });
  const agent = new Agent(config, logger.child({ part: 'agent', host }));
  await agent.start();
  return agent;
}

/** Appends generated lines every 100 ms; returns a function that stops. */
function startWriting(dir: string, ratePerHost: number): () => void {
  const generators = HOSTS.map((host, index) => ({ host, generator: new LogGenerator(host, index + 1, 0.02) }));
  const perTick = ratePerHost / 10;
  let owed = 0;
  let written = 0;
  let writing = false;
  const timer = setInterval(() => {
    if (writing) return;
    writing = true;
    owed += perTick;
    const count = Math.floor(owed);
    owed -= count;
    // Every third event is an application event, the rest are access lines.
    const first = written;
    written += count;
    void Promise.all(
      generators.map(async ({ host, generator }) => {
        let access = '';
        let app = '';
        for (let i = first; i < first + count; i += 1) {
          const now = new Date();
          if (i % 3 === 2) app += `${generator.appLines(now).join('\n')}\n`;
          else access += `${generator.accessLine(now)}\n`;
        }
        if (access) await appendFile(join(dir, host, 'access.log'), access);
        if (app) await appendFile(join(dir, host, 'app.log'), app);
      }),
    ).finally(() => {
      writing = false;
    });
  }, 100);
  return () => clearInterval(timer);
}
