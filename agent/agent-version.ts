import { supergrepPackage } from '../lib/package-root.js';

/** The package version, sent in the hello (the hub accepts at most 64 characters). */
export const AGENT_VERSION = (supergrepPackage()?.version ?? '0.0.0').slice(0, 64);
