import { describe, expect, it } from 'vitest';
import type { SourceAgent } from '../../../../protocol/index.js';
import { fileOptions, hostOptions, podOptions } from '../../../../ui/src/features/filters/source-options.js';

const agents: SourceAgent[] = [
  { host: 'web-1', connected: true, files: [{ path: '/var/log/app.log', linesPerSec: 2 }] },
  { host: 'web-2', connected: false, files: [{ path: '/var/log/app.log', linesPerSec: 3 }, { path: '/var/log/web[2].log', linesPerSec: 1 }] },
  { host: 'db-1', connected: true, files: [{ path: '/var/log/db.log', linesPerSec: 5 }] },
];

const paths = (hostGlobs: string[] | undefined) => fileOptions(agents, hostGlobs).map((option) => option.label);

describe('fileOptions', () => {
  it('offers every file, once per path, without a host filter', () => {
    expect(fileOptions(agents, undefined)).toEqual([
      { glob: '/var/log/app.log', label: '/var/log/app.log', linesPerSec: 5, connected: true, hosts: 2 },
      { glob: '/var/log/db.log', label: '/var/log/db.log', linesPerSec: 5, connected: true, hosts: 1 },
      { glob: '/var/log/web\\[2\\].log', label: '/var/log/web[2].log', linesPerSec: 1, connected: false, hosts: 1 },
    ]);
  });

  it.each<[string[], string[]]>([
    [['db-1'], ['/var/log/db.log']],
    [['web-*'], ['/var/log/app.log', '/var/log/web[2].log']],
    [['web-[2-9]'], ['/var/log/app.log', '/var/log/web[2].log']],
    [['{db,web}-1'], ['/var/log/app.log', '/var/log/db.log']],
    [['api-*'], []],
  ])('offers the files of the hosts %j selects, matched as the hub does', (hostGlobs, expected) => {
    expect(paths(hostGlobs)).toEqual(expected);
  });

  it('offers every file when the host list has a glob the hub would refuse', () => {
    expect(paths(['web-['])).toHaveLength(3);
  });
});

describe('hostOptions', () => {
  it('offers each host as an escaped literal glob', () => {
    expect(hostOptions([{ host: 'web[1]', connected: true, files: [] }])[0]?.glob).toBe('web\\[1\\]');
  });
});

describe('podOptions', () => {
  const pods = (ns: string, pod: string, container: string) => `/var/log/pods/${ns}_${pod}_0d2c/${container}/0.log`;
  const nodes: SourceAgent[] = [
    {
      host: 'node-1',
      connected: true,
      files: [
        { path: pods('shop', 'checkout-1', 'app'), linesPerSec: 2 },
        { path: pods('shop', 'checkout-1', 'envoy'), linesPerSec: 1 },
        { path: pods('kube-system', 'coredns-1', 'coredns'), linesPerSec: 4 },
        { path: '/var/log/syslog', linesPerSec: 9 },
      ],
    },
    { host: 'node-2', connected: false, files: [{ path: pods('shop', 'checkout-2', 'app'), linesPerSec: 3 }] },
  ];
  const labels = (filter: Parameters<typeof podOptions>[1], key: Parameters<typeof podOptions>[2]) => podOptions(nodes, filter, key).map((option) => option.label);

  it('offers each label value the container logs state once, with their summed rates; other files offer none', () => {
    expect(podOptions(nodes, { query: '' }, 'namespace')).toEqual([
      { glob: 'kube-system', label: 'kube-system', linesPerSec: 4, connected: true },
      { glob: 'shop', label: 'shop', linesPerSec: 6, connected: true },
    ]);
    expect(labels({ query: '' }, 'container')).toEqual(['app', 'coredns', 'envoy']);
  });

  it('narrows by the hosts and by the labels above, matched as globs', () => {
    expect(labels({ query: '', namespaces: ['shop'] }, 'pod')).toEqual(['checkout-1', 'checkout-2']);
    expect(labels({ query: '', namespaces: ['shop'], pods: ['*-2'] }, 'container')).toEqual(['app']);
    expect(labels({ query: '', hosts: ['node-1'], namespaces: ['shop'] }, 'pod')).toEqual(['checkout-1']);
    // The pickers below do not narrow the ones above.
    expect(labels({ query: '', containers: ['envoy'] }, 'namespace')).toEqual(['kube-system', 'shop']);
  });
});
