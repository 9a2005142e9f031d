import type { Command } from 'commander';
import type { DemoFlags } from './demo-runner.js';
import { parseInteger } from './parse-options.js';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('a hub, two agents and a generator of realistic web-app logs on this machine, to try supergrep at once')
    .option('--port <port>', 'hub port', parseInteger(0, 65535), 7070)
    .option('--rate <lines>', 'log lines per second per host', parseInteger(1, 100_000), 20)
    .option('--dir <dir>', 'where to write the generated logs (default: a new temporary directory)')
    .action(async (flags: DemoFlags) => {
      // Loaded on demand so other commands do not pay for the hub's and the agent's modules.
      const { runDemo } = await import('./demo-runner.js');
      await runDemo(flags);
    });
}
