import { compileGlob, podLabelsOf, type FilterSpec, type Glob, type PodLabels, type SourceAgent } from '../../../../protocol/index.js';
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
  const hostFilter = compileGlobs(hostGlobs);
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

/** A Kubernetes label a filter scopes by, named as in PodLabels. */
export type PodLabelKey = keyof PodLabels;

/** The filter field of each label's glob list. */
export const POD_FILTER_FIELD = { namespace: 'namespaces', pod: 'pods', container: 'containers' } as const satisfies Record<PodLabelKey, keyof FilterSpec>;

/**
 * The values of one pod label over the files agents report, one option per value. Narrowed as the
 * hub narrows: by the filter's hosts, and by the labels before this one (a pod picker offers the
 * pods of the chosen namespaces; a container picker those of the chosen namespaces and pods).
 */
export function podOptions(agents: readonly SourceAgent[], filter: FilterSpec, key: PodLabelKey): SourceOption[] {
  const hostFilter = compileGlobs(filter.hosts);
  const above = (key === 'namespace' ? [] : key === 'pod' ? (['namespace'] as const) : (['namespace', 'pod'] as const)).map(
    (label) => [label, compileGlobs(filter[POD_FILTER_FIELD[label]])] as const,
  );
  const byValue = new Map<string, SourceOption>();
  for (const agent of agents) {
    if (hostFilter && !hostFilter.some((glob) => glob.test(agent.host))) continue;
    for (const file of agent.files) {
      const labels = podLabelsOf(file.path);
      if (!labels || above.some(([label, globs]) => globs && !globs.some((glob) => glob.test(labels[label])))) continue;
      const value = labels[key];
      const option = byValue.get(value);
      if (option) {
        option.linesPerSec += file.linesPerSec;
        option.connected ||= agent.connected;
      } else {
        byValue.set(value, { glob: escapeGlob(value), label: value, linesPerSec: file.linesPerSec, connected: agent.connected });
      }
    }
  }
  return [...byValue.values()].sort((a, b) => a.label.localeCompare(b.label));
}

/** A glob list as the hub compiles it; undefined when empty or when the hub would refuse it (offer everything then). */
function compileGlobs(globs: readonly string[] | undefined): Glob[] | undefined {
  if (!globs || globs.length === 0) return undefined;
  try {
    return globs.map((glob) => compileGlob(glob));
  } catch {
    return undefined;
  }
}
