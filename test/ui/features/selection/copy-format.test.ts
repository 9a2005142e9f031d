import { describe, expect, it } from 'vitest';
import { describeFilter, formatLine, formatMarkdown, formatPlain, inlineCode } from '../../../../ui/src/features/selection/copy-format.js';
import { line } from '../../helpers/fake-hub.js';

const t0 = Date.UTC(2024, 4, 1, 12, 0, 0, 5);
// The first two state their own time (eventTs, received a little later); the third states none.
const sample = [
  line('GET /checkout status=503 in 2.1s', { host: 'web-1', file: '/var/log/nginx/access.log', ts: t0 + 40, eventTs: t0 }),
  line('\x1b[31mERROR\x1b[0m upstream timed out', { host: 'web-2', file: '/var/log/app.log', ts: t0 + 1700, eventTs: t0 + 1500 }),
  line('GET /cart status=502', { host: 'web-1', file: '/var/log/nginx/access.log', ts: t0 + 900 }),
];

describe('copy formatting', () => {
  it('formats one line with an ISO timestamp, host and file, without colour escapes', () => {
    expect(formatLine(sample[1]!)).toBe('2024-05-01T12:00:01.505Z web-2 /var/log/app.log ERROR upstream timed out');
  });

  it('formats a line that states no time with ~ and the time it was received', () => {
    expect(formatLine(sample[2]!)).toBe('~2024-05-01T12:00:00.905Z web-1 /var/log/nginx/access.log GET /cart status=502');
  });

  it('plain text is one line per log line, in the given order', () => {
    expect(formatPlain(sample)).toBe(
      [
        '2024-05-01T12:00:00.005Z web-1 /var/log/nginx/access.log GET /checkout status=503 in 2.1s',
        '2024-05-01T12:00:01.505Z web-2 /var/log/app.log ERROR upstream timed out',
        '~2024-05-01T12:00:00.905Z web-1 /var/log/nginx/access.log GET /cart status=502',
        '',
      ].join('\n'),
    );
    expect(formatPlain([])).toBe('');
  });

  it('markdown names the filter and the time range, then fences the lines', () => {
    const markdown = formatMarkdown(sample, { query: 'status=5\\d\\d|ERROR', exclude: 'healthz', hosts: ['web-*'], caseInsensitive: true });
    expect(markdown).toBe(
      [
        '**supergrep** `status=5\\d\\d|ERROR` · exclude `healthz` · hosts `web-*` · case-insensitive',
        '',
        // The range spans the earliest and latest timestamps, whatever the order of the lines.
        '2024-05-01T12:00:00.005Z – 2024-05-01T12:00:01.505Z (3 lines)',
        '',
        '```',
        '2024-05-01T12:00:00.005Z web-1 /var/log/nginx/access.log GET /checkout status=503 in 2.1s',
        '2024-05-01T12:00:01.505Z web-2 /var/log/app.log ERROR upstream timed out',
        '~2024-05-01T12:00:00.905Z web-1 /var/log/nginx/access.log GET /cart status=502',
        '```',
        '',
      ].join('\n'),
    );
  });

  it('uses a longer fence when a log line contains backticks, so it cannot end the block', () => {
    const markdown = formatMarkdown([line('oops ``` and ```` inside', { ts: t0 })], { query: '' });
    expect(markdown).toContain('\n`````\n');
    expect(markdown.trimEnd().endsWith('`````')).toBe(true);
    expect(markdown).toContain('(1 line)');
  });

  it('describes an empty filter as all lines and lists files', () => {
    expect(describeFilter({ query: '', files: ['/var/log/*.log'] })).toBe('all lines · files `/var/log/*.log`');
  });

  it('inline code survives backticks in patterns', () => {
    expect(inlineCode('a`b')).toBe('``a`b``');
    expect(inlineCode('`x`')).toBe('`` `x` ``');
  });

  it('survives a timestamp no date can represent: the number is shown instead', () => {
    const bad = [sample[0]!, line('from a hostile peer', { host: 'web-3', file: '/x.log', ts: 1e300 })];
    expect(formatLine(bad[1]!)).toBe('~invalid-time(1e+300) web-3 /x.log from a hostile peer');
    const markdown = formatMarkdown(bad, { query: 'x' });
    expect(markdown).toContain('2024-05-01T12:00:00.005Z – invalid-time(1e+300) (2 lines)');
    expect(markdown).toContain('~invalid-time(1e+300) web-3 /x.log from a hostile peer');
  });
});
