import { describe, expect, it } from 'vitest';
import { formatDeployJson, formatDeployPlain, formatJson, formatPlain } from '../../../cli/tail-format.js';
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

  describe('an event (a line with \\n)', () => {
    const event: MatchedLine = {
      ...line,
      line: 'java.lang.IllegalStateException: boom\n\tat com.example.Cart.pay(Cart.java:42)\n\tat com.example.Api.handle(Api.java:7)',
      ranges: [],
    };
    const apiAt = event.line.indexOf('Api.java');

    it('prints its further lines indented under its head', () => {
      expect(formatPlain(event, false).split('\n')).toEqual([
        'web-1 /var/log/app.log: java.lang.IllegalStateException: boom',
        '    \tat com.example.Cart.pay(Cart.java:42)',
        '    \tat com.example.Api.handle(Api.java:7)',
      ]);
    });

    it('highlights a range on its third line there, and one spanning a break on both lines', () => {
      const third = formatPlain({ ...event, ranges: [[apiAt, apiAt + 8]] }, true).split('\n');
      expect(third).toHaveLength(3);
      expect(third[2]).toBe('    \tat com.example.Api.handle(\u001b[1;31mApi.java\u001b[0m:7)');
      expect(third[1]).not.toContain('\u001b[1;31m');
      const boom = event.line.indexOf('boom');
      const across = formatPlain({ ...event, ranges: [[boom, boom + 8]] }, true).split('\n');
      expect(across[0]!.endsWith(' java.lang.IllegalStateException: \u001b[1;31mboom\u001b[0m')).toBe(true);
      expect(across[1]).toBe('    \u001b[1;31m\tat\u001b[0m com.example.Cart.pay(Cart.java:42)');
    });

    it('escapes control characters on every line, so a further line cannot drive the terminal', () => {
      expect(formatPlain({ ...event, line: 'head\nframe \u001b[2K\r x' }, false)).toBe('web-1 /var/log/app.log: head\n    frame \\x1b[2K\\x0d x');
    });

    it('keeps it one JSON object with the \\n inside line', () => {
      const text = formatJson(event);
      expect(text).not.toContain('\n');
      expect(JSON.parse(text)).toMatchObject({ line: event.line });
    });
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

  it('prints the time the line states in JSON beside the received time, only when it states one', () => {
    const stated = { ...line, eventTs: Date.UTC(2026, 10, 26, 11, 59, 58, 250) };
    expect(JSON.parse(formatJson(stated))).toMatchObject({ ts: line.ts, time: '2026-11-26T12:00:00.000Z', eventTs: stated.eventTs, eventTime: '2026-11-26T11:59:58.250Z' });
    expect(JSON.parse(formatJson(line))).not.toHaveProperty('eventTs');
    expect(JSON.parse(formatJson(line))).not.toHaveProperty('eventTime');
  });

  it('starts each line with its time when asked: the stated one, or ~ and the received one', () => {
    const stated = { ...line, eventTs: Date.UTC(2026, 10, 26, 11, 59, 58, 250) };
    expect(formatPlain(stated, false, true)).toBe('2026-11-26T11:59:58.250Z web-1 /var/log/app.log: GET / status=503 rt=1.2');
    expect(formatPlain(line, false, true)).toBe('~2026-11-26T12:00:00.000Z web-1 /var/log/app.log: GET / status=503 rt=1.2');
    expect(formatPlain(stated, true, true)).toMatch(/^\u001b\[2m2026-11-26T11:59:58\.250Z\u001b\[0m \u001b\[36mweb-1/);
    expect(formatPlain(stated, false)).toBe('web-1 /var/log/app.log: GET / status=503 rt=1.2');
  });

  it('escapes control characters in the host and file names too, and bidi overrides everywhere', () => {
    const hostile = { ...line, host: 'web\u001b[31m-1', file: '/var/log/x\u001b]0;PWNED\u0007\u001b[2K\r.log', line: 'a\u202eb\u2028c\u009bd\te', ranges: [] };
    const expected = 'web\\x1b[31m-1 /var/log/x\\x1b]0;PWNED\\x07\\x1b[2K\\x0d.log: a\\u202eb\\u2028c\\x9bd\te';
    expect(formatPlain(hostile, false)).toBe(expected);
    const coloured = formatPlain(hostile, true);
    // Only tail's own colour sequences remain.
    expect(coloured.replace(/\u001b\[(?:36|2|0)m/g, '')).toBe(expected);
  });

  it('escapes DEL, C1, separators and bidi controls in JSON, keeping the same value', () => {
    const hostile = { ...line, file: '/x\u009b\u007f\u2029\u2066.log', line: 'a\u0085\u202eb' };
    const text = formatJson(hostile);
    expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    expect(text).toContain('"file":"/x\\u009b\\u007f\\u2029\\u2066.log"');
    const parsed = JSON.parse(text) as { file: string; line: string };
    expect(parsed.file).toBe(hostile.file);
    expect(parsed.line).toBe(hostile.line);
  });

  it.each([1e300, -1e300, 8.64e15 + 1])('prints ts %d, which no date can represent, with a null time instead of failing', (ts) => {
    const parsed = JSON.parse(formatJson({ ...line, ts })) as { ts: number; time: unknown };
    expect(parsed).toMatchObject({ ts, time: null });
    expect(formatPlain({ ...line, ts }, false)).toBe('web-1 /var/log/app.log: GET / status=503 rt=1.2');
  });
});

describe('tail output of deploy markers', () => {
  const startedAt = Date.UTC(2026, 11, 7, 14, 2, 11);
  const hostile = { id: 'd1', label: 'web 2026-12-07.3\u001b]0;owned\u0007\u202e', by: 'alice\u009b2J', startedAt, createdAt: startedAt };

  it('prints a divider line with the label and author escaped like a line', () => {
    expect(formatDeployPlain(hostile, false)).toBe('──── deploy web 2026-12-07.3\\x1b]0;owned\\x07\\u202e by alice\\x9b2J at 2026-12-07T14:02:11.000Z ────');
    expect(formatDeployPlain({ ...hostile, label: 'web', by: undefined }, true)).toBe('\u001b[33m──── deploy web at 2026-12-07T14:02:11.000Z ────\u001b[0m');
  });

  it('gives a JSON record told apart by its type, with no raw control character', () => {
    const text = formatDeployJson({ ...hostile, url: 'https://ci.example/runs/42' });
    expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(JSON.parse(text)).toEqual({ type: 'deploy', id: 'd1', label: hostile.label, by: hostile.by, url: 'https://ci.example/runs/42', startedAt, time: '2026-12-07T14:02:11.000Z' });
  });
});
