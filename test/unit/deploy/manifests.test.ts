import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, join, posix, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Command, type OptionValues } from 'commander';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePathPattern } from '../../../agent/discovery/path-pattern.js';
import { loadAgentConfig, registerAgentCommand } from '../../../cli/agent-command.js';
import { registerHubCommand } from '../../../cli/hub-command.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

/*
 * The shipped deployment files (deploy/): Kubernetes manifests and systemd units. Every flag they
 * pass is parsed by the CLI's own command definitions (commander), so a renamed or removed flag
 * fails here; the agent's arguments are then resolved into a whole agent config. The units are
 * also checked by `systemd-analyze verify` (Debian's systemd, which .ci/run installs).
 */

const root = resolve(import.meta.dirname, '../../..');
const deployDir = join(root, 'deploy');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
const installedLauncher = '/opt/supergrep/bin/supergrep';

type AgentFlags = Parameters<typeof loadAgentConfig>[1];

/** The parts of the Kubernetes objects these tests read. */
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string }; secretKeyRef?: { name: string; key: string } };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args: string[];
  env: EnvVar[];
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
  securityContext?: Record<string, unknown>;
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
}
interface PodSpec {
  containers: Container[];
  volumes: { name: string; hostPath?: { path: string; type?: string }; persistentVolumeClaim?: { claimName: string } }[];
  tolerations?: unknown[];
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  securityContext?: { runAsUser?: number };
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: {
    /** `matchLabels` in workloads, the labels themselves in a Service. */
    selector?: { matchLabels?: Record<string, string> } & Record<string, unknown>;
    template?: { metadata: { labels: Record<string, string> }; spec: PodSpec };
    updateStrategy?: { type: string };
    ports?: { port: number; targetPort: string }[];
  };
}

/** Parses `args` (after the subcommand) with the real CLI's definition of `name`, without running it. */
function parseCli(name: 'agent' | 'hub', args: string[]): { operands: string[]; unknown: string[]; flags: OptionValues } {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  registerAgentCommand(program);
  registerHubCommand(program);
  const command = program.commands.find((candidate) => candidate.name() === name)!;
  const { operands, unknown } = command.parseOptions(args);
  return { operands, unknown, flags: command.opts() };
}

function loadManifests(file: string): Manifest[] {
  const documents = parseAllDocuments(readFileSync(join(deployDir, 'kubernetes', file), 'utf8'));
  for (const document of documents) expect(document.errors, file).toEqual([]);
  return documents.map((document) => document.toJS() as Manifest);
}

function only(manifests: Manifest[], kind: string): Manifest & { spec: NonNullable<Manifest['spec']> } {
  const found = manifests.filter((manifest) => manifest.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0] as Manifest & { spec: NonNullable<Manifest['spec']> };
}

function podOf(manifest: Manifest): PodSpec {
  expect(manifest.spec?.template, manifest.kind).toBeDefined();
  return manifest.spec!.template!.spec;
}

/** Args with `$(VAR)` expanded as the kubelet does; each VAR must be one of the container's variables. */
function expandArgs(container: Container, standIns: Record<string, string>): string[] {
  const names = new Set(container.env.map((variable) => variable.name));
  return container.args.map((arg) =>
    arg.replace(/\$\(([A-Z_][A-Z0-9_]*)\)/g, (_whole, name: string) => {
      expect(names.has(name), `$(${name}) is defined in env`).toBe(true);
      return standIns[name] ?? 'stand-in';
    }),
  );
}

function envFrom(container: Container, name: string): EnvVar {
  const variable = container.env.find((candidate) => candidate.name === name);
  expect(variable, name).toBeDefined();
  return variable!;
}

/** The value after `--flag` (the last one), as the CLI would take it. */
function flagValue(args: string[], flag: string): string | undefined {
  const at = args.lastIndexOf(flag);
  return at < 0 ? undefined : args[at + 1];
}

function isUnder(path: string, dir: string): boolean {
  const relative = posix.relative(dir, path);
  return relative === '' || (!relative.startsWith('..') && !posix.isAbsolute(relative));
}

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  const files = readdirSync(join(deployDir, 'kubernetes')).filter((file) => file.endsWith('.yaml'));

  it('parse as YAML into objects with apiVersion, kind and a name, namespaced in supergrep', () => {
    expect(files.sort()).toEqual(['supergrep-agent.yaml', 'supergrep-hub.yaml']);
    for (const file of files) {
      for (const manifest of loadManifests(file)) {
        expect(manifest.apiVersion, file).toMatch(/^(v1|apps\/v1)$/);
        expect(manifest.metadata.name, file).toMatch(/^supergrep/);
        if (manifest.kind !== 'Namespace') expect(manifest.metadata.namespace, `${file} ${manifest.kind}`).toBe('supergrep');
        for (const container of manifest.spec?.template?.spec.containers ?? []) {
          expect(container.image, 'a placeholder image named after this version').toBe(`ghcr.io/supergrep/supergrep:${version}`);
        }
      }
    }
  });

  describe('the agent DaemonSet', () => {
    const manifests = loadManifests('supergrep-agent.yaml');
    const daemonSet = only(manifests, 'DaemonSet');
    const pod = podOf(daemonSet);
    const container = pod.containers.find((candidate) => candidate.name === 'agent')!;
    const volumes = new Map(pod.volumes.map((volume) => [volume.name, volume]));
    const mounts = container.volumeMounts;
    const args = expandArgs(container, { NODE_NAME: 'node-1' });

    it('selects its own pods, runs on every node, rolls out one node at a time', () => {
      const matchLabels = daemonSet.spec.selector?.matchLabels ?? {};
      expect(Object.keys(matchLabels)).not.toHaveLength(0);
      expect(daemonSet.spec.template?.metadata.labels).toMatchObject(matchLabels);
      expect(daemonSet.spec.updateStrategy?.type).toBe('RollingUpdate');
      expect(pod.tolerations).toContainEqual({ operator: 'Exists' });
      const account = only(manifests, 'ServiceAccount');
      expect(pod.serviceAccountName).toBe(account.metadata.name);
      expect(only(manifests, 'Namespace').metadata.name).toBe('supergrep');
    });

    it('passes only flags the agent accepts, and they make a valid agent config', () => {
      expect(container.command).toEqual([installedLauncher]);
      expect(args[0]).toBe('agent');
      const { operands, unknown, flags } = parseCli('agent', args.slice(1));
      expect(unknown).toEqual([]);
      const config = loadAgentConfig(operands, flags as AgentFlags, { SUPERGREP_TOKEN: 'secret' });
      expect(config.name).toBe('node-1');
      expect(config.paths).toContain('/var/log/pods/*/*/*.log');
    });

    it('follows the kubelet\'s container logs and their first rotated name, never the compressed ones', () => {
      const { operands } = parseCli('agent', args.slice(1));
      const patterns = operands.map((operand) => parsePathPattern(operand));
      const matched = (path: string) => patterns.some((pattern) => pattern.matches(path));
      const dir = '/var/log/pods/shop_checkout-7d4b9c-x2x8q_6f1c2b1e-1111-4222-8333-944455556666/app';
      expect(matched(`${dir}/0.log`)).toBe(true);
      expect(matched(`${dir}/1.log.20261207-224501`)).toBe(true);
      expect(matched(`${dir}/1.log.20261207-224501.gz`)).toBe(false);
      expect(matched(`${dir}/1.log.20261207-224501.gz.tmp`)).toBe(false);
    });

    it('takes its name from the node and its token from a secret', () => {
      expect(flagValue(container.args, '--name')).toBe('$(NODE_NAME)');
      expect(envFrom(container, 'NODE_NAME').valueFrom).toEqual({ fieldRef: { fieldPath: 'spec.nodeName' } });
      const token = envFrom(container, 'SUPERGREP_TOKEN');
      expect(token.value).toBeUndefined();
      expect(token.valueFrom?.secretKeyRef).toMatchObject({ name: expect.any(String), key: expect.any(String) });
      expect(args).not.toContain('--token');
    });

    it('keeps --state on a writable hostPath, so checkpoints survive the pod', () => {
      const state = flagValue(args, '--state')!;
      const mount = mounts.find((candidate) => candidate.mountPath === dirname(state));
      expect(mount, `a mount at ${dirname(state)}`).toBeDefined();
      expect(mount!.readOnly ?? false).toBe(false);
      expect(volumes.get(mount!.name)?.hostPath).toEqual({ path: dirname(state), type: 'DirectoryOrCreate' });
    });

    it('mounts every followed directory read-only from the same host path (pod labels come from it)', () => {
      const { operands } = parseCli('agent', args.slice(1));
      for (const operand of operands) {
        const { base } = parsePathPattern(operand);
        const mount = mounts.find((candidate) => isUnder(base, candidate.mountPath));
        expect(mount, `a mount over ${base}`).toBeDefined();
        expect(mount!.readOnly).toBe(true);
        expect(volumes.get(mount!.name)?.hostPath?.path).toBe(mount!.mountPath);
      }
      const docker = mounts.find((candidate) => candidate.mountPath === '/var/lib/docker/containers');
      expect(docker?.readOnly).toBe(true);
    });

    it('runs with a read-only root, no capabilities, no API token, and a memory limit', () => {
      expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(pod.securityContext?.runAsUser).toBe(0);
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(container.resources.limits?.memory).toBeDefined();
      expect(container.resources.requests).toMatchObject({ cpu: expect.anything(), memory: expect.anything() });
    });
  });

  describe('the hub Deployment and Service', () => {
    const manifests = loadManifests('supergrep-hub.yaml');
    const deployment = only(manifests, 'Deployment');
    const service = only(manifests, 'Service');
    const pod = podOf(deployment);
    const container = pod.containers[0]!;

    it('passes only flags the hub accepts; its data directory is the volume', () => {
      expect(container.command).toEqual([installedLauncher]);
      const args = container.args;
      expect(args[0]).toBe('hub');
      const { operands, unknown, flags } = parseCli('hub', args.slice(1));
      expect([...operands, ...unknown]).toEqual([]);
      expect(flags.host).toBe('0.0.0.0');
      const data = container.volumeMounts.find((mount) => mount.mountPath === flags.data);
      const volume = pod.volumes.find((candidate) => candidate.name === data?.name);
      expect(volume?.persistentVolumeClaim?.claimName).toBe(only(manifests, 'PersistentVolumeClaim').metadata.name);
      for (const name of ['SUPERGREP_AGENT_TOKEN', 'SUPERGREP_VIEWER_TOKEN', 'SUPERGREP_EDITOR_TOKEN']) {
        expect(envFrom(container, name).valueFrom?.secretKeyRef?.name).toBe('supergrep-hub-tokens');
      }
    });

    it('is reached through the Service at the address the agents use, and probed on /healthz', () => {
      const labels = deployment.spec.template?.metadata.labels;
      expect(labels).toMatchObject(deployment.spec.selector?.matchLabels ?? { missing: 'matchLabels' });
      expect(labels).toMatchObject(service.spec.selector ?? { missing: 'selector' });
      const servicePort = service.spec.ports?.[0];
      const port = container.ports?.find((candidate) => candidate.name === servicePort?.targetPort);
      expect(port?.containerPort).toBe(Number(parseCli('hub', container.args.slice(1)).flags.port));
      expect(container.readinessProbe?.httpGet?.path).toBe('/healthz');
      expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
      const agent = podOf(only(loadManifests('supergrep-agent.yaml'), 'DaemonSet')).containers[0]!;
      const hubUrl = new URL(flagValue(agent.args, '--hub')!);
      expect(hubUrl.hostname).toBe(`${service.metadata.name}.${service.metadata.namespace}.svc`);
      expect(Number(hubUrl.port)).toBe(servicePort?.port);
    });
  });
});

/** A unit file as sections of key to values (a key may repeat), continuation lines joined. */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let section: Map<string, string[]> | undefined;
  for (const line of text.replace(/\\\n/g, ' ').split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(trimmed);
    if (header) {
      section = new Map();
      sections.set(header[1]!, section);
      continue;
    }
    const at = trimmed.indexOf('=');
    expect(at, trimmed).toBeGreaterThan(0);
    expect(section, `${trimmed} is inside a section`).toBeDefined();
    const key = trimmed.slice(0, at);
    section!.set(key, [...(section!.get(key) ?? []), trimmed.slice(at + 1).trim()]);
  }
  return sections;
}

/** ExecStart= split into words as systemd does for quotes; the credentials specifier expanded. */
function execArgs(value: string): string[] {
  const words: string[] = [];
  for (const match of value.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) words.push(match[1] ?? match[2] ?? match[3]!);
  return words.map((word) => word.replace(/%d/g, '/run/credentials/unit'));
}

describe('systemd units (deploy/systemd)', () => {
  const unit = (name: string) => parseUnit(readFileSync(join(deployDir, 'systemd', name), 'utf8'));
  const single = (section: Map<string, string[]>, key: string) => {
    expect(section.get(key), key).toHaveLength(1);
    return section.get(key)![0]!;
  };

  it('the agent unit: flags the agent accepts, --state in its StateDirectory, its paths read-only, the journal on', () => {
    const service = unit('supergrep-agent.service').get('Service')!;
    const [launcher, subcommand, ...args] = execArgs(single(service, 'ExecStart'));
    expect([launcher, subcommand]).toEqual([installedLauncher, 'agent']);
    const { operands, unknown, flags } = parseCli('agent', args);
    expect(unknown).toEqual([]);
    const config = loadAgentConfig(operands, flags as AgentFlags, { SUPERGREP_TOKEN: 'secret' });
    expect(config.journal).toBeDefined();
    expect(dirname(config.stateFile)).toBe(`/var/lib/${single(service, 'StateDirectory')}`);
    const readOnly = single(service, 'ReadOnlyPaths').split(/\s+/);
    for (const operand of operands) {
      const { base } = parsePathPattern(operand);
      expect(readOnly.some((dir) => isUnder(base, dir)), `${base} is in ReadOnlyPaths`).toBe(true);
    }
    expect(single(service, 'EnvironmentFile')).toBe('/etc/supergrep/agent.env');
    expect(single(service, 'SupplementaryGroups').split(/\s+/)).toContain('systemd-journal');
    expect(service.get('Environment')!.join(' ')).not.toMatch(/SUPERGREP_TOKEN/);
  });

  it('the hub unit: flags the hub accepts, --data is its StateDirectory, TLS files are its credentials', () => {
    const service = unit('supergrep-hub.service').get('Service')!;
    const [launcher, subcommand, ...args] = execArgs(single(service, 'ExecStart'));
    expect([launcher, subcommand]).toEqual([installedLauncher, 'hub']);
    const { operands, unknown, flags } = parseCli('hub', args);
    expect([...operands, ...unknown]).toEqual([]);
    expect(flags.data).toBe(`/var/lib/${single(service, 'StateDirectory')}`);
    const credentials = service.get('LoadCredential')!.map((entry) => `/run/credentials/unit/${entry.split(':')[0]}`);
    expect(credentials).toEqual(expect.arrayContaining([flags.tlsCert, flags.tlsKey]));
    expect(single(service, 'EnvironmentFile')).toBe('/etc/supergrep/hub.env');
    expect(Number(single(service, 'LimitNOFILE'))).toBeGreaterThanOrEqual(65_536);
  });

  it('both: restarted always, hardened', () => {
    for (const name of ['supergrep-agent.service', 'supergrep-hub.service']) {
      const sections = unit(name);
      expect([...sections.keys()], name).toEqual(['Unit', 'Service', 'Install']);
      const service = sections.get('Service')!;
      expect(single(service, 'Restart'), name).toBe('always');
      for (const [key, value] of [['NoNewPrivileges', 'yes'], ['ProtectSystem', 'strict'], ['CapabilityBoundingSet', ''], ['PrivateTmp', 'yes']]) {
        expect(single(service, key!), `${name} ${key}`).toBe(value);
      }
      expect(service.has('User'), name).toBe(true);
    }
  });

  describe('systemd-analyze verify', () => {
    let dir: string;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ dir, cleanup } = await makeTempDir('sg-units-'));
    });
    afterAll(async () => {
      await cleanup();
    });

    it('finds nothing to say about either unit', async () => {
      // verify insists that ExecStart's program exists: point it at this checkout's launcher.
      const copies: string[] = [];
      for (const name of ['supergrep-agent.service', 'supergrep-hub.service']) {
        const text = readFileSync(join(deployDir, 'systemd', name), 'utf8');
        expect(text).toContain(installedLauncher);
        const copy = join(dir, basename(name));
        await writeFile(copy, text.replaceAll(installedLauncher, join(root, 'bin/supergrep')));
        copies.push(copy);
      }
      const { stdout, stderr } = await promisify(execFile)('systemd-analyze', ['verify', ...copies]);
      expect(`${stdout}${stderr}`).toBe('');
    });
  });
});

describe('docs/operations.md', () => {
  it('names every file in deploy/', () => {
    const doc = readFileSync(join(root, 'docs/operations.md'), 'utf8');
    const files = ['kubernetes', 'systemd'].flatMap((sub) => readdirSync(join(deployDir, sub)).map((file) => `deploy/${sub}/${file}`));
    expect(files.filter((file) => !doc.includes(file))).toEqual([]);
  });
});
