/** The wire protocol shared by agent, hub and viewers. docs/protocol.md describes it for other languages. */
export * from './shared/version.js';
export * from './shared/error-codes.js';
export * from './shared/error-message.js';
export * from './shared/limits.js';
export * from './shared/role.js';
export * from './shared/filter-spec.js';
export * from './shared/glob.js';
export * from './shared/matched-line.js';
export * from './shared/reconnect-backoff.js';
export * from './shared/lines-markdown.js';
export * from './agent-to-hub/index.js';
export * from './hub-to-agent/index.js';
export * from './client-to-hub/index.js';
export * from './hub-to-client/index.js';
export * from './http/index.js';
export * from './parse-message.js';
