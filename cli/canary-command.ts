import type { Command } from 'commander';
import { createLogger } from '../lib/logger.js';
import { parseInteger, untilSignal } from './parse-options.js';
import { UsageError } from './usage-error.js';

interface CanaryFlags {
  hub?: string;
  token?: string;
  file: string;
  rate: number;
  intervalMs: number;
  lossAfterMs: number;
  rotateBytes: number;
  metricsHost: string;
  metricsPort?: number;
  json?: boolean;
  durationMs?: number;
  logLevel?: string;
}

export function registerCanaryCommand(program: Command): void {
  program
    .command('canary')
    .description('write numbered lines to a file an agent follows, read them back through the hub, and report latency, loss, duplicates and reordering')
    .requiredOption('--hub <url>', 'hub address, e.g. http://hub:7070', process.env.SUPERGREP_HUB)
    .option('--token <token>', 'viewer token (or SUPERGREP_TOKEN)')
    .option('--file <path>', 'the file to write; run an agent that follows it', 'supergrep-canary.log')
    .option('--rate <lines>', 'lines written per second', parseInteger(1, 100_000), 10)
    .option('--interval-ms <ms>', 'how often to report (stdout and the interval gauges)', parseInteger(100, 3_600_000), 10_000)
    .option('--loss-after-ms <ms>', 'a line not back this long after it was written counts as lost', parseInteger(100, 3_600_000), 30_000)
    .option('--rotate-bytes <n>', 'rename the file to FILE.1 past this size, like logrotate (0: never)', parseInteger(0, Number.MAX_SAFE_INTEGER), 16 * 1024 * 1024)
    .option('--metrics-port <port>', 'serve Prometheus metrics at /metrics on this port (0: any free one)', parseInteger(0, 65535))
    .option('--metrics-host <address>', 'address for the metrics port', '127.0.0.1')
    .option('--json', 'print one JSON object per interval instead of key=value words')
    .option('--duration-ms <ms>', 'stop after this long, wait for lines in flight, print a summary; exit 1 if any line never came back', parseInteger(1, Number.MAX_SAFE_INTEGER))
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (default info)')
    .action(async (flags: CanaryFlags) => {
      const hub = flags.hub;
      if (!hub || !/^(https?|wss?):\/\//.test(hub)) throw new UsageError(`--hub must be an http(s):// or ws(s):// address, not ${hub ?? 'nothing'}`);
      const logger = createLogger('canary', flags.logLevel);
      // Loaded on demand so other commands do not pay for the viewer client and prom-client.
      const { formatReport, runCanary } = await import('./canary-runner.js');
      const token = flags.token ?? process.env.SUPERGREP_TOKEN;
      const summary = await runCanary(
        {
          hub,
          ...(token ? { token } : {}),
          file: flags.file,
          rate: flags.rate,
          intervalMs: flags.intervalMs,
          lossAfterMs: flags.lossAfterMs,
          rotateBytes: flags.rotateBytes,
          metricsHost: flags.metricsHost,
          ...(flags.metricsPort === undefined ? {} : { metricsPort: flags.metricsPort }),
          json: flags.json === true,
          ...(flags.durationMs === undefined ? {} : { durationMs: flags.durationMs }),
        },
        logger,
        untilSignal(),
      );
      if (flags.durationMs === undefined) return;
      const missing = summary.lost - summary.late + summary.pending;
      process.stdout.write(`summary ${formatReport(summary, { time: new Date(), intervalMs: flags.durationMs, connected: false, hubDropped: 0 }, flags.json === true)}\n`);
      if (missing > 0) throw new Error(`${missing} canary lines never came back`);
    });
}
