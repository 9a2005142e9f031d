import { afterAll, beforeAll } from 'vitest';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CliProcess } from '../../helpers/cli-process.js';
import { appendLines, startAgent, startHub, waitForFollowing, type TestHub } from '../../helpers/supergrep.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { waitFor } from '../../helpers/wait.js';

export interface Stack {
  hub: TestHub;
  /** The log file the first host's agent follows. */
  logFile: string;
  dir: string;
  /** Appends lines to the log file of `host` (default: the first host). */
  append(lines: string[], host?: string): Promise<void>;
  /**
   * Resolves once the hub has taken in every line of `host`'s file (its `/metrics` count): a line
   * appended to another host afterwards reaches a viewer after all of them.
   */
  takenIn(host: string): Promise<void>;
  /** Stops the agents and the hub (SIGTERM, then SIGKILL) and removes the files; safe to call twice. */
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Hub environment, e.g. SUPERGREP_VIEWER_TOKEN. */
  hubEnv?: NodeJS.ProcessEnv;
  /** One agent per host, each following its own `app.log` (default: just `web-1`). */
  hosts?: string[];
  /** Extra hub arguments, e.g. `['--config', file]`. */
  hubArgs?: string[];
}

/**
 * A real hub (the built CLI on a free loopback port, with a data directory) and real agents, one
 * per host, each following one empty log file: what the browser tests run the built UI against.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const hosts = options.hosts ?? ['web-1'];
  const temp = await makeTempDir('supergrep-browser-');
  const files = new Map(hosts.map((host) => [host, join(temp.dir, host, 'app.log')]));
  const processes: CliProcess[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // Agents first, then the hub (the agents' last acknowledgements need it).
    await Promise.all(processes.slice(1).map((process) => process.stop(5_000)));
    await processes[0]?.stop(5_000);
    await temp.cleanup();
  };
  const fileOf = (host: string) => {
    const file = files.get(host);
    if (!file) throw new Error(`no agent follows a file for host ${host}`);
    return file;
  };
  try {
    const hub = await startHub({ dataDir: join(temp.dir, 'hub-data'), env: options.hubEnv ?? {}, args: options.hubArgs ?? [] });
    processes.push(hub.process);
    await Promise.all(
      hosts.map(async (host) => {
        const file = files.get(host)!;
        await mkdir(join(temp.dir, host), { recursive: true });
        await writeFile(file, '');
        const agent = startAgent({ hubs: [hub.wsUrl], paths: [file], stateFile: join(temp.dir, host, 'agent-state.json'), name: host });
        processes.push(agent);
        await waitForFollowing(agent, file);
      }),
    );
    return {
      hub,
      logFile: files.get(hosts[0]!)!,
      dir: temp.dir,
      append: (lines, host = hosts[0]!) => appendLines(fileOf(host), lines),
      takenIn: async (host) => {
        // The hub counts events: a stack trace's indented frames join the line before them.
        const written = (await readFile(fileOf(host), 'utf8')).split('\n').filter((line) => line !== '' && !/^\s/.test(line)).length;
        const series = `supergrep_agent_lines_total{host="${host}"} `;
        await waitFor(`the hub to take in ${written} lines of ${host}`, async () => {
          const metrics = await fetch(`${hub.url}/metrics`).then(async (response) => response.text());
          const line = metrics.split('\n').find((candidate) => candidate.startsWith(series));
          return line !== undefined && Number(line.slice(series.length)) >= written;
        });
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * For a describe block: one stack started before its tests and stopped after them. The returned
 * Stack forwards to it, so tests use it as they would startStack's.
 */
export function useStack(options: StackOptions = {}): Stack {
  let started: Stack | undefined;
  beforeAll(async () => {
    started = await startStack(options);
  });
  afterAll(async () => {
    await started?.stop();
  });
  const current = (): Stack => {
    if (started === undefined) throw new Error('the stack runs only while its describe block does');
    return started;
  };
  return {
    get hub() {
      return current().hub;
    },
    get logFile() {
      return current().logFile;
    },
    get dir() {
      return current().dir;
    },
    append: (lines, host) => current().append(lines, host),
    takenIn: (host) => current().takenIn(host),
    stop: () => current().stop(),
  };
}
