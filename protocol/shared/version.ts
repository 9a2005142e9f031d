/**
 * Wire protocol version, sent in every hello. Bump it for any change an older peer would misread;
 * additive optional fields do not need a bump. A removed field's name is never reused.
 */
export const PROTOCOL_VERSION = 1;
