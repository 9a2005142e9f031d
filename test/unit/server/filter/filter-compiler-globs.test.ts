import { describe, expect, it } from 'vitest';
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
