import { supergrepPackage } from '../lib/package-root.js';

/** The version in package.json (found from wherever this code runs: source, dist/ or the bundle). */
export const VERSION = supergrepPackage()?.version ?? '0.0.0';
