import { describe, expect, it } from 'vitest';
import { detectLevel } from '../../../../ui/src/lib/text/log-level.js';

describe('detectLevel', () => {
  it.each([
    ['2024-05-01T12:00:00Z ERROR db: connection refused', 'error'],
    ['2024-05-01 12:00:00,123 WARN  [main] slow query', 'warn'],
    ['INFO started in 120ms', 'info'],
    ['DEBUG cache miss key=user:1', 'debug'],
    ['TRACE enter handler', 'trace'],
    ['FATAL out of memory', 'fatal'],
    ['CRITICAL disk full', 'fatal'],
    ['WARNING: deprecated flag', 'warn'],
    ['ts=2024-05-01T12:00:00Z level=error msg="upstream timeout"', 'error'],
    ['time="..." level=warning msg=x', 'warn'],
    ['{"level":"info","msg":"listening"}', 'info'],
    ['{"level":50,"time":1714564800000,"msg":"boom"}', 'error'],
    ['{"level":30,"msg":"ok"}', 'info'],
    ['{"severity":"DEBUG","message":"x"}', 'debug'],
    ['2024/05/01 12:00:00 [error] 12#12: *1 open() failed', 'error'],
    ['[notice] signal process started', 'info'],
    ['E0501 12:00:00.000000    1 controller.go:12] sync failed', 'error'],
    ['W0501 12:00:00.000000    1 reflector.go:3] watch ended', 'warn'],
  ])('%s → %s', (text, level) => {
    expect(detectLevel(text)).toBe(level);
  });

  it.each([
    ['GET /api/errors 200 12ms'],
    ['user info updated'],
    ['request failed with error code 7'],
    ['plain line without any level'],
    [''],
  ])('finds no level in %j', (text) => {
    expect(detectLevel(text)).toBeUndefined();
  });

  it('takes the first level marker, not a later word in the message', () => {
    expect(detectLevel('INFO retrying after ERROR from upstream')).toBe('info');
  });

  it.each([
    ['2026-11-27T08:59:59.000Z web-1 nginx: 10.0.3.7 "GET /search HTTP/1.1" status=502 bytes=120 rt=2.104 ua="curl/8.11.1"'],
    ['10.0.0.1 - - [27/Nov/2026:08:59:59 +0000] "POST /checkout HTTP/1.1" 503 512 "-" "Mozilla/5.0"'],
    ['{"remote_addr":"10.0.0.1","request":"GET / HTTP/2.0","status":500,"bytes":0}'],
    ['method=GET path=/cart status=504 duration_ms=3000'],
  ])('colours an access line with a 5xx status as an error: %s', (text) => {
    expect(detectLevel(text)).toBe('error');
  });

  it.each([
    ['2026-11-27T08:59:59.000Z web-1 nginx: 10.0.3.7 "GET /search HTTP/1.1" status=200 bytes=5120 rt=0.104'],
    ['10.0.0.1 - - [27/Nov/2026:08:59:59 +0000] "GET /missing HTTP/1.1" 404 0 "-" "curl/8"'],
    ['GET /orders/500 HTTP/1.1 took 12ms'],
    ['retrying status=ok attempts=503'],
    ['resubstatus=502'],
  ])('finds no level in an access line without a 5xx status: %s', (text) => {
    expect(detectLevel(text)).toBeUndefined();
  });

  it('an explicit level wins over the status', () => {
    expect(detectLevel('level=info msg="upstream answered" status=502')).toBe('info');
  });

  it('finds the status after a long request line', () => {
    expect(detectLevel(`10.0.0.1 "GET /search?q=${'a'.repeat(600)} HTTP/1.1" status=500 rt=1.2`)).toBe('error');
  });

  it('only looks at the head of long lines', () => {
    expect(detectLevel(`${'x'.repeat(300)} ERROR`)).toBeUndefined();
  });
});
