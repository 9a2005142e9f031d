import { describe, expect, it } from 'vitest';
import { pinStatName, sanitizeMetricSegment } from '../../../../server/pins/statsd-key.js';
import { parseStatsdTarget } from '../../../../server/pins/statsd-target.js';

describe('StatsD names for pins', () => {
  it.each([
    ['checkout errors', 'checkout_errors'],
    ['Checkout Errors', 'checkout_errors'],
    ['  5xx on /api/v2  ', '5xx_on_api_v2'],
    ['a.b.c', 'a_b_c'],
    ['rate:1|c@0.5#tag', 'rate_1_c_0_5_tag'],
    ['payments-api_errors', 'payments-api_errors'],
    ['né ü', 'n'],
    ['line\nbreak\ttab', 'line_break_tab'],
    ['__x__', 'x'],
    ['🔥🔥', undefined],
    ['...', undefined],
  ])('sanitizes %j to %j', (name, expected) => {
    expect(sanitizeMetricSegment(name)).toBe(expected);
  });

  it('names the counter pin.<name>.matches, falling back to the id when nothing of the name is usable', () => {
    expect(pinStatName('checkout errors', 'abc123')).toBe('pin.checkout_errors.matches');
    expect(pinStatName('🔥', 'abc123')).toBe('pin.pin_abc123.matches');
  });
});

describe('the --statsd target', () => {
  it.each([
    ['127.0.0.1:8125', { host: '127.0.0.1', port: 8125 }],
    ['graphite.internal:8125', { host: 'graphite.internal', port: 8125 }],
    ['[::1]:9125', { host: '::1', port: 9125 }],
    [' localhost:1 ', { host: 'localhost', port: 1 }],
  ])('parses %j', (text, expected) => {
    expect(parseStatsdTarget(text)).toEqual(expected);
  });

  it.each(['localhost', ':8125', 'host:0', 'host:65536', 'host:port', '::1:8125', 'a b:8125', ''])('refuses %j', (text) => {
    expect(parseStatsdTarget(text)).toBeUndefined();
  });
});
