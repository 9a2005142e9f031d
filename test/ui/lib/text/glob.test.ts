import { describe, expect, it } from 'vitest';
import { escapeGlob, globLiteral } from '../../../../ui/src/lib/text/glob.js';

describe('glob escaping', () => {
  it.each(['web-1', '/var/log/app[1].log', 'a*b?c', '{x,y}', '/srv/(old)/x+y@z!.log', 'back\\slash'])('round-trips %s', (literal) => {
    expect(globLiteral(escapeGlob(literal))).toBe(literal);
  });

  it('escapes characters picomatch would treat as patterns', () => {
    expect(escapeGlob('/var/log/app[1].log')).toBe('/var/log/app\\[1\\].log');
  });

  it('reports globs with wildcards as not literal', () => {
    expect(globLiteral('web-*')).toBeUndefined();
    expect(globLiteral('/var/log/**/*.log')).toBeUndefined();
  });
});
