/** Messages between hubs over NATS (--nats); docs/scaling.md describes the subjects. */
export * from './cluster-batch.js';
export * from './cluster-queries.js';
export * from './cluster-search.js';
