import { describe, expect, it } from 'vitest';
import type { FilterSpec } from '../../../../protocol/index.js';
import { FilterError, compileFilter } from '../../../../server/filter/filter-compiler.js';

const PATH = '/var/log/containers/payments-api-7d9f8c6b5-x2x4z_prod_api-0a1b2c3d.log';

describe('compileFilter host and file globs', () => {
  it.each<[string, { hosts?: string[]; files?: string[] }, string, string, boolean]>([
    ['a glob without a slash matches the file name', { files: ['payments-*.log'] }, 'web-1', PATH, true],
    ['a glob with a slash matches the whole path', { files: ['/var/log/containers/*.log'] }, 'web-1', PATH, true],
    ['a glob with a slash never matches the file name alone', { files: ['containers/*.log'] }, 'web-1', PATH, false],
    ['* stops at /', { files: ['/var/*.log'] }, 'web-1', PATH, false],
    ['** crosses /', { files: ['/var/**/*_prod_*.log'] }, 'web-1', PATH, true],
    ['a name starting with a dot', { files: ['*.log'] }, 'web-1', '/var/log/.hidden.log', true],
    ['braces', { hosts: ['{web,db}-[0-9]'] }, 'db-7', PATH, true],
    ['an escaped literal', { hosts: ['web\\[1\\]'] }, 'web[1]', PATH, true],
    ['an escaped literal is not a class', { hosts: ['web\\[1\\]'] }, 'web1', PATH, false],
    ['the hostile glob of the review', { files: ['*?*?*?*?*?*?*?*?*?*?#'] }, 'web-1', PATH, false],
  ])('%s', (_name, globs, host, file, selected) => {
    const filter = compileFilter({ query: '', ...globs });
    expect(filter.selects(host, file)).toBe(selected);
    // Asked again (the engine does after every change of its filters): the same answer.
    expect(filter.selects(host, file)).toBe(selected);
  });

  it.each([
    [{ files: ['/var/log/[abc.log'] }, 'invalid file glob "/var/log/[abc.log": [ at character 10 is not closed'],
    [{ hosts: ['web-{1,2'] }, 'invalid host glob "web-{1,2": { at character 5 is not closed'],
    [{ hosts: ['web-[9-1]'] }, 'invalid host glob "web-[9-1]": the range 9-1 is reversed'],
  ])('refuses %j with SG_ERR_BAD_REQUEST', (globs, message) => {
    const refusal = (() => {
      try {
        compileFilter({ query: '', ...globs });
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(refusal).toBeInstanceOf(FilterError);
    expect(refusal).toMatchObject({ code: 'SG_ERR_BAD_REQUEST', message: expect.stringContaining(message) });
  });
});

describe('compileFilter namespace, pod and container globs', () => {
  const POD_FILE = '/var/log/pods/ns-a_web-1_0f4c2a7e-uid/app/0.log';
  const LINK_FILE = `/var/log/containers/web-1_ns-a_app-${'a1'.repeat(32)}.log`;
  const PLAIN_FILE = '/var/log/syslog';

  it.each<[string, Pick<FilterSpec, 'namespaces' | 'pods' | 'containers'>, string, boolean]>([
    ['a namespace of the pods layout', { namespaces: ['ns-a'] }, POD_FILE, true],
    ['another namespace', { namespaces: ['ns-b'] }, POD_FILE, false],
    ['a namespace glob', { namespaces: ['ns-*'] }, POD_FILE, true],
    ['the containers layout', { namespaces: ['ns-a'], pods: ['web-?'], containers: ['app'] }, LINK_FILE, true],
    ['every list must select', { namespaces: ['ns-a'], containers: ['sidecar'] }, POD_FILE, false],
    ['any glob of a list may select', { pods: ['api-*', 'web-*'] }, POD_FILE, true],
    ['a label glob is the whole label, not a path segment', { pods: ['web'] }, POD_FILE, false],
    ['a file without labels matches no label glob', { namespaces: ['*'] }, PLAIN_FILE, false],
    ['a file without labels, no label globs', {}, PLAIN_FILE, true],
  ])('%s', (_name, globs, file, selected) => {
    const filter = compileFilter({ query: '', ...globs });
    expect(filter.selects('web-1', file)).toBe(selected);
    expect(filter.selects('web-1', file)).toBe(selected);
  });

  it('combines with host and file globs', () => {
    const filter = compileFilter({ query: '', hosts: ['node-1'], files: ['0.log'], namespaces: ['ns-a'] });
    expect(filter.selects('node-1', POD_FILE)).toBe(true);
    expect(filter.selects('node-2', POD_FILE)).toBe(false);
  });

  it('normalizes label globs into the key: the same labels in any order share one filter, other labels do not', () => {
    const a = compileFilter({ query: 'x', namespaces: ['b', 'a', 'a'], pods: [] });
    const b = compileFilter({ query: 'x', namespaces: ['a', 'b'] });
    expect(a.key).toBe(b.key);
    expect(a.spec).toEqual({ query: 'x', namespaces: ['a', 'b'] });
    expect(compileFilter({ query: 'x', pods: ['a', 'b'] }).key).not.toBe(b.key);
    expect(compileFilter({ query: 'x', containers: ['a', 'b'] }).key).not.toBe(b.key);
    expect(compileFilter({ query: 'x' }).key).not.toBe(b.key);
  });

  it('refuses a bad label glob with SG_ERR_BAD_REQUEST naming the list', () => {
    expect(() => compileFilter({ query: '', containers: ['app-[z-a]'] })).toThrow(expect.objectContaining({ code: 'SG_ERR_BAD_REQUEST', message: expect.stringContaining('invalid container glob "app-[z-a]"') }));
  });
});
