/** Protocol pieces that need Node's Buffer: the binary lines frame codec used by agent and hub. */
export * from './index.js';
export * from './agent-to-hub/lines-frame-codec.js';
