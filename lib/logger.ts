import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs to stderr: a message first, context as fields, `err` for failures. Field names
 * that can carry a secret are censored here once, so no call site has to remember.
 */
export function createLogger(name: string, level = process.env.SUPERGREP_LOG_LEVEL ?? 'info'): Logger {
  return pino(
    {
      name,
      level,
      redact: {
        paths: ['token', '*.token', 'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization'],
        censor: '[redacted]',
      },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}

/** A logger that discards everything, for unit tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
