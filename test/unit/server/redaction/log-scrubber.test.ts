import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { logScrubber } from '../../../../server/redaction/log-scrubber.js';
import { DEFAULT_RULES } from '../../../../lib/redaction/redaction-rules.js';
import { Redactor } from '../../../../lib/redaction/redactor.js';

function capture(redactor: Redactor) {
  const written: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ hooks: { streamWrite: logScrubber(redactor) } }, stream);
  return { logger, written };
}

describe('logScrubber', () => {
  it('redacts secrets anywhere in a log record and keeps it valid JSON', () => {
    const { logger, written } = capture(new Redactor(DEFAULT_RULES));
    logger.warn({ pattern: 'Bearer abcdefgh12345678', nested: { url: 'https://u:hunter2@db' } }, 'bad pattern with "quotes" password=x1');
    const record = JSON.parse(written[0]!) as Record<string, unknown>;
    expect(record).toMatchObject({
      pattern: 'Bearer [REDACTED]',
      nested: { url: 'https://u:[REDACTED]@db' },
      msg: 'bad pattern with "quotes" password=[REDACTED]',
    });
    expect(written[0]).not.toMatch(/abcdefgh12345678|hunter2|x1/);
  });

  it('falls back to redacting value by value when a custom rule would break the JSON', () => {
    // This rule eats quotes: as text it would swallow the JSON between two fields.
    const { logger, written } = capture(new Redactor([{ name: 'greedy', pattern: 'secret[^ ]*', replacement: 'X' }]));
    logger.info({ a: 'secret-1', b: 'ok' }, 'm');
    const record = JSON.parse(written[0]!) as Record<string, unknown>;
    expect(record).toMatchObject({ a: 'X', b: 'ok', msg: 'm' });
  });

  it('writes records without secrets untouched', () => {
    const { logger, written } = capture(new Redactor(DEFAULT_RULES));
    logger.info({ hubId: 'abc', agents: 2 }, 'hub listening');
    expect(JSON.parse(written[0]!)).toMatchObject({ hubId: 'abc', agents: 2, msg: 'hub listening' });
  });
});
