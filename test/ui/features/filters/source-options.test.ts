import { describe, expect, it } from 'vitest';
import type { SourceAgent } from '../../../../protocol/index.js';
import { fileOptions, hostOptions } from '../../../../ui/src/features/filters/source-options.js';

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
