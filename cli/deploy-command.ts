import type { Command } from 'commander';
import { readCaFile } from '../lib/tls-trust.js';
import { postJson } from './http-post.js';
import { UsageError } from './usage-error.js';

interface DeployFlags {
  hub: string;
  token?: string;
  by?: string;
  url?: string;
  ca?: string;
}

export function registerDeployCommand(program: Command): void {
  program
    .command('deploy')
    .description('mark a deploy: a divider in every live stream and a line on every pin\'s graph')
    .argument('<label>', 'what was deployed, e.g. "web 2026-11-26.3"')
    .requiredOption('--hub <url>', 'hub address, e.g. http://hub:7070', process.env.SUPERGREP_HUB)
    .option('--token <token>', 'editor token: only editors may post deploys (or SUPERGREP_TOKEN)')
    .option('--ca <file>', 'PEM file of the CA that signed the hub\'s TLS certificate (https:// with a private CA)')
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
      let ca: Buffer | undefined;
      try {
        ca = flags.ca === undefined ? undefined : readCaFile(flags.ca);
      } catch (cause) {
        throw new UsageError((cause as Error).message, { cause });
      }
      const { status, text } = await postJson(
        endpoint,
        { label, ...(by ? { by } : {}), ...(flags.url ? { url: flags.url } : {}) },
        { headers: token ? { authorization: `Bearer ${token}` } : {}, ca },
      );
      if (status < 200 || status >= 300) throw new Error(`the hub answered ${status}: ${text}`);
      process.stdout.write(`${text}\n`);
    });
}
