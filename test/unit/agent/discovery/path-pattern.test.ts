import { describe, expect, it } from 'vitest';
import { MAX_GLOBSTAR_DEPTH, parsePathPattern } from '../../../../agent/discovery/path-pattern.js';

describe('parsePathPattern', () => {
  it.each([
    { configured: '/var/log/app.log', base: '/var/log', depth: 0, yes: ['/var/log/app.log'], no: ['/var/log/app.log.1', '/var/log/other.log'] },
    { configured: '/var/log/*.log', base: '/var/log', depth: 0, yes: ['/var/log/a.log'], no: ['/var/log/a.log.1', '/var/log/x/a.log'] },
    { configured: '/var/log/app.log*', base: '/var/log', depth: 0, yes: ['/var/log/app.log', '/var/log/app.log.1'], no: ['/var/log/b.log'] },
    { configured: '/srv/*/logs/*.log', base: '/srv', depth: 2, yes: ['/srv/api/logs/a.log'], no: ['/srv/api/a.log'] },
    { configured: '/data/**/*.log', base: '/data', depth: MAX_GLOBSTAR_DEPTH, yes: ['/data/a.log', '/data/x/y/z.log'], no: ['/data/a.txt'] },
    // Wildcards skip names starting with a dot; a dot written in the pattern matches one.
    { configured: '/var/log/*', base: '/var/log', depth: 0, yes: ['/var/log/a.log'], no: ['/var/log/.a.log.swp'] },
    { configured: '/data/**/*.log', base: '/data', depth: MAX_GLOBSTAR_DEPTH, yes: ['/data/x/a.log'], no: ['/data/.git/a.log', '/data/.a.log'] },
    { configured: '/var/log/.*.log', base: '/var/log', depth: 0, yes: ['/var/log/.a.log'], no: ['/var/log/a.log'] },
    { configured: '/srv/{api,web}/[a-c]?.log', base: '/srv', depth: 1, yes: ['/srv/api/a1.log', '/srv/web/cx.log'], no: ['/srv/db/a1.log', '/srv/api/d1.log'] },
    { configured: '/var/log/app\\[1\\].log', base: '/var/log', depth: 0, yes: ['/var/log/app[1].log'], no: ['/var/log/app\\[1\\].log'] },
    // An escaped wildcard is part of the base directory, unescaped.
    { configured: '/srv/app\\[1\\]/*.log', base: '/srv/app[1]', depth: 0, yes: ['/srv/app[1]/a.log'], no: ['/srv/app1/a.log'] },
  ])('$configured watches $base to depth $depth', ({ configured, base, depth, yes, no }) => {
    const pattern = parsePathPattern(configured);
    expect(pattern.base).toBe(base);
    expect(pattern.depth).toBe(depth);
    for (const path of yes) expect(pattern.matches(path)).toBe(true);
    for (const path of no) expect(pattern.matches(path)).toBe(false);
  });

  it('matches a hostile pattern against a long name in bounded work', () => {
    const pattern = parsePathPattern(`/logs/${'*a'.repeat(40)}b`);
    expect(pattern.matches(`/logs/${'a'.repeat(1000)}`)).toBe(false);
  });

  it('refuses an unclosed bracket or brace', () => {
    expect(() => parsePathPattern('/var/log/app[1.log')).toThrow('[ at character 13 is not closed');
    expect(() => parsePathPattern('/var/log/{a,b.log')).toThrow('{ at character 10 is not closed');
  });

  it('resolves relative patterns against the working directory', () => {
    const pattern = parsePathPattern('logs/*.log', '/home/app');
    expect(pattern.base).toBe('/home/app/logs');
    expect(pattern.matches('/home/app/logs/web.log')).toBe(true);
  });
});
