/**
 * Guesses a line's severity for colouring. Only the start of the line is looked at (levels come
 * first in every common format) and only explicit markers count: `level=warn`, `"level":"error"`,
 * pino's numeric levels, `[error]`, upper-case words like ERROR or WARN, and klog's `E0102` prefix;
 * an access log's 5xx status counts as an error.
 * Lower-case prose ("failed with error") is not a level.
 */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

const HEAD_CHARS = 256;

const ALIASES: Record<string, LogLevel> = {
  fatal: 'fatal',
  panic: 'fatal',
  emerg: 'fatal',
  emergency: 'fatal',
  alert: 'fatal',
  crit: 'fatal',
  critical: 'fatal',
  error: 'error',
  err: 'error',
  severe: 'error',
  warn: 'warn',
  warning: 'warn',
  notice: 'info',
  info: 'info',
  information: 'info',
  debug: 'debug',
  dbg: 'debug',
  trace: 'trace',
};

const KEY_VALUE = /(?:^|[\s{,"'])(?:level|lvl|severity|loglevel)["']?\s*[=:]\s*["']?([A-Za-z]+|\d{2})\b/i;
const PINO_LEVELS: Record<string, LogLevel> = { '10': 'trace', '20': 'debug', '30': 'info', '40': 'warn', '50': 'error', '60': 'fatal' };
const WORD =
  /(?:\b(FATAL|PANIC|EMERG(?:ENCY)?|ALERT|CRIT(?:ICAL)?|ERROR|ERR|SEVERE|WARN(?:ING)?|NOTICE|INFO|DEBUG|DBG|TRACE)\b|\[(fatal|panic|emerg|alert|crit|critical|error|err|warn|warning|notice|info|debug|trace)\])/;
const KLOG = /^([EWIF])\d{4} /;
/**
 * Access logs carry no level, but a 5xx response is a server error: `status=502`, `"status":503`,
 * or the number after the quoted request of the common and combined formats (`"GET / HTTP/1.1" 500 12`).
 */
const ACCESS_STATUS = /(?:(?:^|[\s,{"'])(?:status|status_code|http_status)["']?\s*[=:]\s*["']?|"[A-Z]+ \S+ HTTP\/[\d.]+" )(5\d\d)\b/;
/** The status may come after a long path and user agent. */
const ACCESS_HEAD_CHARS = 2048;
const KLOG_LEVELS: Record<string, LogLevel> = { E: 'error', W: 'warn', I: 'info', F: 'fatal' };

/** `text` must already be free of ANSI escapes (a colour code glued to a word hides the word boundary). */
export function detectLevel(text: string): LogLevel | undefined {
  const head = text.length > HEAD_CHARS ? text.slice(0, HEAD_CHARS) : text;
  const keyValue = KEY_VALUE.exec(head);
  if (keyValue) {
    const value = keyValue[1]!.toLowerCase();
    const level = PINO_LEVELS[value] ?? ALIASES[value];
    if (level) return level;
  }
  const klog = KLOG.exec(head);
  if (klog) return KLOG_LEVELS[klog[1]!];
  const word = WORD.exec(head);
  if (word) return ALIASES[(word[1] ?? word[2])!.toLowerCase()];
  if (ACCESS_STATUS.test(text.length > ACCESS_HEAD_CHARS ? text.slice(0, ACCESS_HEAD_CHARS) : text)) return 'error';
  return undefined;
}
