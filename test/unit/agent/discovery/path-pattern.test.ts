import { describe, expect, it } from 'vitest';
import { MAX_GLOBSTAR_DEPTH, parsePathPattern } from '../../../../agent/discovery/path-pattern.js';

describe('parsePathPattern', () => {
  it.each([
    { configured: '/var/log/app.log', base: '/var/log', depth: 0, yes: ['/var/log/app.log'], no: ['/var/log/app.log.1', '/var/log/other.log'] },
    { configured: '/var/log/*.log', base: '/var/log', depth: 0, yes: ['/var/log/a.log'], no: ['/var/log/a.log.1', '/var/log/x/a.log'] },
    { configured: '/var/log/app.log*', base: '/var/log', depth: 0, yes: ['/var/log/app.log', '/var/log/app.log.1'], no: ['/var/log/b.log'] },
    { configured: '/srv/*/logs/*.log', base: '/srv', depth: 2, yes: ['/srv/api/logs/a.log'], no: ['/srv/api/a.log'] },
    { configured: '/data/**/*.log', base: '/data', depth: MAX_GLOBSTAR_DEPTH, yes: ['/data/a.log', '/data/x/y/z.log'], no: ['/data/a.txt'] },
  ])('$configured watches $base to depth $depth', ({ configured, base, depth, yes, no }) => {
    const pattern = parsePathPattern(configured);
    expect(pattern.base).toBe(base);
    expect(pattern.depth).toBe(depth);
    for (const path of yes) expect(pattern.matches(path)).toBe(true);
    for (const path of no) expect(pattern.matches(path)).toBe(false);
  });

  it('resolves relative patterns against the working directory', () => {
    const pattern = parsePathPattern('logs/*.log', '/home/app');
    expect(pattern.base).toBe('/home/app/logs');
    expect(pattern.matches('/home/app/logs/web.log')).toBe(true);
  });
});
