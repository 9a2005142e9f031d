import { compileGlob, type Glob, type SourceAgent } from '../../../../protocol/index.js';
import { escapeGlob } from '../../lib/text/glob.js';

/** One choice in a host or file picker: the glob it adds and what to show about it. */
export interface SourceOption {
  glob: string;
  label: string;
  linesPerSec: number;
  /** Hosts: the agent is connected. Files: at least one agent holding the path is. */
  connected: boolean;
  /** Files: how many hosts have this path. */
  hosts?: number;
}

export function hostOptions(agents: readonly SourceAgent[]): SourceOption[] {
  return agents
    .map((agent) => ({
      glob: escapeGlob(agent.host),
      label: agent.host,
      linesPerSec: agent.files.reduce((sum, file) => sum + file.linesPerSec, 0),
      connected: agent.connected,
    }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/**
 * Files across agents, one option per path (the same path on several hosts is one file filter).
 * When there is a host filter, only the files of the hosts it selects are offered, matched as the
 * hub matches them; a host list the hub would refuse (a malformed glob) leaves every file offered.
 */
export function fileOptions(agents: readonly SourceAgent[], hostGlobs: readonly string[] | undefined): SourceOption[] {
  const hostFilter = compileHostGlobs(hostGlobs);
  const byPath = new Map<string, SourceOption>();
  for (const agent of agents) {
    if (hostFilter && !hostFilter.some((glob) => glob.test(agent.host))) continue;
    for (const file of agent.files) {
      const option = byPath.get(file.path);
      if (option) {
        option.linesPerSec += file.linesPerSec;
        option.connected ||= agent.connected;
        option.hosts = (option.hosts ?? 0) + 1;
      } else {
        byPath.set(file.path, { glob: escapeGlob(file.path), label: file.path, linesPerSec: file.linesPerSec, connected: agent.connected, hosts: 1 });
      }
    }
  }
  return [...byPath.values()].sort((a, b) => a.label.localeCompare(b.label));
}

function compileHostGlobs(hostGlobs: readonly string[] | undefined): Glob[] | undefined {
  if (!hostGlobs || hostGlobs.length === 0) return undefined;
  try {
    return hostGlobs.map((glob) => compileGlob(glob));
  } catch {
    return undefined;
  }
}
