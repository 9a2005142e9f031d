import type { Command } from 'commander';
import { UsageError } from './usage-error.js';

interface DeployFlags {
  hub: string;
  token?: string;
  by?: string;
  url?: string;
}

export function registerDeployCommand(program: Command): void {
  program
    .command('deploy')
    .description('mark a deploy: a divider in every live stream and a line on every pin\'s graph')
    .argument('<label>', 'what was deployed, e.g. "web 2026-11-26.3"')
    .requiredOption('--hub <url>', 'hub address, e.g. http://hub:7070', process.env.SUPERGREP_HUB)
    .option('--token <token>', 'token allowed to post deploys (or SUPERGREP_TOKEN)')
    .option('--by <who>', 'who deployed (default: $USER)')
    .option('--url <url>', 'link to the change or the pipeline run')
    .action(async (label: string, flags: DeployFlags) => {
      const token = flags.token ?? process.env.SUPERGREP_TOKEN;
      const by = flags.by ?? process.env.USER;
      let endpoint: URL;
      try {
        endpoint = new URL('/api/deploys', flags.hub.replace(/^ws(s?):\/\//, 'http$1://'));
      } catch (cause) {
        throw new UsageError(`--hub ${flags.hub} is not a URL`, { cause });
      }
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ label, ...(by ? { by } : {}), ...(flags.url ? { url: flags.url } : {}) }),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`the hub answered ${response.status}: ${text}`);
      process.stdout.write(`${text}\n`);
    });
}
