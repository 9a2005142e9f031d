import { describe, expect, it } from 'vitest';
import { escapeGlob, globLiteral } from '../../../../ui/src/lib/text/glob.js';

describe('glob escaping', () => {
  it.each(['web-1', '/var/log/app[1].log', 'a*b?c', '{x,y}', '/srv/(old)/x+y@z!.log', 'back\\slash'])('round-trips %s', (literal) => {
    expect(globLiteral(escapeGlob(literal))).toBe(literal);
  });

  it('escapes the characters the glob syntax gives a meaning', () => {
    expect(escapeGlob('/var/log/app[1].log')).toBe('/var/log/app\\[1\\].log');
    expect(escapeGlob('/srv/(old)/x+y@z!.log')).toBe('/srv/(old)/x+y@z!.log');
  });

  it('reports globs with wildcards as not literal', () => {
    expect(globLiteral('web-*')).toBeUndefined();
    expect(globLiteral('/var/log/**/*.log')).toBeUndefined();
  });
});
