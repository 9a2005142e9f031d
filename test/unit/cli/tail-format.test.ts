import { describe, expect, it } from 'vitest';
import { formatJson, formatPlain } from '../../../cli/tail-format.js';
import type { MatchedLine } from '../../../protocol/index.js';

const line: MatchedLine = { id: 'h-1-0', host: 'web-1', file: '/var/log/app.log', ts: Date.UTC(2026, 10, 26, 12, 0, 0), line: 'GET / status=503 rt=1.2', ranges: [[6, 16]] };

describe('tail output', () => {
  it('prints host, file and line without colour', () => {
    expect(formatPlain(line, false)).toBe('web-1 /var/log/app.log: GET / status=503 rt=1.2');
  });

  it('highlights exactly the matched ranges with colour', () => {
    const out = formatPlain(line, true);
    expect(out).toContain('GET / \u001b[1;31mstatus=503\u001b[0m rt=1.2');
  });

  it('escapes control characters so a log line cannot drive the terminal', () => {
    const hostile = { ...line, line: 'evil \u001b]0;pwned\u0007 end', ranges: [] };
    expect(formatPlain(hostile, false)).toBe('web-1 /var/log/app.log: evil \\x1b]0;pwned\\x07 end');
  });

  it('prints JSON with an ISO time', () => {
    expect(JSON.parse(formatJson(line))).toEqual({
      id: 'h-1-0',
      host: 'web-1',
      file: '/var/log/app.log',
      ts: line.ts,
      time: '2026-11-26T12:00:00.000Z',
      line: line.line,
      ranges: [[6, 16]],
    });
  });
});
