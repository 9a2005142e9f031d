/**
 * Host and file filters are glob lists, matched by protocol/shared/glob.ts on the hub and here.
 * Picking an exact host or path from a list must not turn `app[1].log` into a character class, so
 * its special characters are escaped.
 */
export { escapeGlob, globLiteral } from '../../../../protocol/index.js';
