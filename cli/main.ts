import { Command, CommanderError } from 'commander';
import { registerAgentCommand } from './agent-command.js';
import { registerCanaryCommand } from './canary-command.js';
import { registerDemoCommand } from './demo-command.js';
import { registerDeployCommand } from './deploy-command.js';
import { registerHubCommand } from './hub-command.js';
import { registerSearchCommand } from './search-command.js';
import { registerTailCommand } from './tail-command.js';
import { UsageError } from './usage-error.js';
import { VERSION } from './version.js';

/** Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error. */
const EXIT_USAGE = 2;

const program = new Command()
  .name('supergrep')
  .description('Live log search: agents tail files, a hub filters them with RE2, viewers see the matches.')
  .version(VERSION)
  .exitOverride()
  .showHelpAfterError('(run with --help for usage)');

registerHubCommand(program);
registerAgentCommand(program);
registerTailCommand(program);
registerSearchCommand(program);
registerDemoCommand(program);
registerDeployCommand(program);
registerCanaryCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has already printed the message (or the help / version text).
    process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE);
  }
  if (error instanceof UsageError) {
    process.stderr.write(`supergrep: ${error.message}\n`);
    process.exit(EXIT_USAGE);
  }
  process.stderr.write(`supergrep: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
