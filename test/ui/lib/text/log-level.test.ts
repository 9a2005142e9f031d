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

  it('only looks at the head of long lines', () => {
    expect(detectLevel(`${'x'.repeat(300)} ERROR`)).toBeUndefined();
  });
});
