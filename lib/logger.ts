import pino, { type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  /** Rewrites each serialized record before it is written (the hub passes its redaction rules). */
  scrub?: ((line: string) => string) | undefined;
}

/**
 * Structured logs to stderr: a message first, context as fields, `err` for failures. Field names
 * that can carry a secret are censored here once, so no call site has to remember; `scrub` catches
 * secrets inside values (a log line quoted in a message, say).
 */
export function createLogger(name: string, level = process.env.SUPERGREP_LOG_LEVEL ?? 'info', options: LoggerOptions = {}): Logger {
  return pino(
    {
      name,
      level,
      ...(options.scrub ? { hooks: { streamWrite: options.scrub } } : {}),
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
