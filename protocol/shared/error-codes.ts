import { z } from 'zod';

/**
 * Stable error codes carried by `error` messages and HTTP error bodies. Clients branch on the code,
 * never on the human-readable message. Listed with their meaning in docs/protocol.md.
 */
const ERROR_CODES = [
  'SG_ERR_BAD_REGEX',
  'SG_ERR_UNAUTHORIZED',
  'SG_ERR_FORBIDDEN',
  'SG_ERR_PROTOCOL',
  'SG_ERR_VERSION',
  'SG_ERR_TOO_LARGE',
  'SG_ERR_LIMIT',
  'SG_ERR_NOT_FOUND',
  'SG_ERR_BAD_REQUEST',
  'SG_ERR_INTERNAL',
  /** The hub could not read or write its database (disk full, read-only, locked); HTTP 507, 503 or 500. */
  'SG_ERR_STORAGE',
  /** A filter would cost the hub too much CPU (a pattern's size, or too many costly filters held); the message says why. */
  'SG_ERR_TOO_EXPENSIVE',
] as const;

export const errorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

/** WebSocket close codes (4000-4999 is the application range). */
export const CLOSE_CODES = {
  protocolError: 4400,
  unauthorized: 4401,
  forbidden: 4403,
  versionMismatch: 4426,
  tooLarge: 4413,
  limit: 4429,
} as const;
