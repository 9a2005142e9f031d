import { describe, expect, it } from 'vitest';
import { formatLine, formatMarkdown, formatPlain } from '../../../../ui/src/features/selection/copy-format.js';
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

  const context = { deploys: [], viewUrl: 'https://hub.example/?q=x#line=old' };

  it('markdown is the shared format: the filter, the time range, the fenced lines and each line\'s permalink on the live view', () => {
    const markdown = formatMarkdown(sample, { query: 'status=5\\d\\d|ERROR', exclude: 'healthz', hosts: ['web-*'], caseInsensitive: true }, context);
    expect(markdown).toBe(
      [
        '# Lines from supergrep',
        '',
        '- Live view: <https://hub.example/?q=x>',
        '- Filter: query `status=5\\d\\d|ERROR`, exclude `healthz`, case-insensitive, hosts `web-*`, all files',
        // The range spans the earliest and latest timestamps, whatever the order of the lines.
        '- Lines: 3, from 2024-05-01T12:00:00.005Z to 2024-05-01T12:00:01.505Z',
        '- Times marked `~` (1 of 3 lines): when the line was received; it states no time of its own',
        '',
        '```text',
        '2024-05-01T12:00:00.005Z web-1 /var/log/nginx/access.log | GET /checkout status=503 in 2.1s',
        '2024-05-01T12:00:01.505Z web-2 /var/log/app.log | ERROR upstream timed out',
        '~2024-05-01T12:00:00.905Z web-1 /var/log/nginx/access.log | GET /cart status=502',
        '```',
        '',
        'Line permalinks:',
        '',
        `1. 2024-05-01T12:00:00.005Z web-1: <https://hub.example/?q=x#line=${encodeURIComponent(sample[0]!.id)}>`,
        `2. 2024-05-01T12:00:01.505Z web-2: <https://hub.example/?q=x#line=${encodeURIComponent(sample[1]!.id)}>`,
        `3. \\~2024-05-01T12:00:00.905Z web-1: <https://hub.example/?q=x#line=${encodeURIComponent(sample[2]!.id)}>`,
        '',
      ].join('\n'),
    );
  });

  it('draws the deploys inside the selection as divider lines at their place in time, and leaves out the others', () => {
    const deploy = (id: string, startedAt: number) => ({ id, label: `web ${id}`, by: 'alice', startedAt, createdAt: startedAt });
    const markdown = formatMarkdown(sample, { query: '' }, { ...context, deploys: [deploy('before', t0), deploy('inside', t0 + 500), deploy('after', t0 + 5_000)] });
    const body = markdown.slice(markdown.indexOf('```text\n') + 8, markdown.lastIndexOf('\n```'));
    expect(body.split('\n')).toEqual([
      '2024-05-01T12:00:00.005Z web-1 /var/log/nginx/access.log | GET /checkout status=503 in 2.1s',
      // Placed by when lines were received, as in the stream: before the first one received after it.
      '──── deploy web inside by alice at 2024-05-01T12:00:00.505Z ────',
      '2024-05-01T12:00:01.505Z web-2 /var/log/app.log | ERROR upstream timed out',
      '~2024-05-01T12:00:00.905Z web-1 /var/log/nginx/access.log | GET /cart status=502',
    ]);
    expect(markdown).toContain('- Deploys: 1, shown as dividers among the lines at their start time');
  });

  it('uses a longer fence when a log line contains backticks, so it cannot end the block', () => {
    const markdown = formatMarkdown([line('oops ``` and ```` inside', { ts: t0 })], { query: '' }, context);
    expect(markdown).toContain('\n`````text\n');
    expect(markdown).toContain('\n`````\n');
    expect(markdown).toContain('- Lines: 1, all at');
  });

  it('survives a timestamp no date can represent: the number is shown instead', () => {
    const bad = [sample[0]!, line('from a hostile peer', { host: 'web-3', file: '/x.log', ts: 1e300 })];
    expect(formatLine(bad[1]!)).toBe('~invalid-time(1e+300) web-3 /x.log from a hostile peer');
    const markdown = formatMarkdown(bad, { query: 'x' }, context);
    expect(markdown).toContain('- Lines: 2, from 2024-05-01T12:00:00.005Z to 1e+300 (not a valid time)');
    expect(markdown).toContain('~1e+300 (not a valid time) web-3 /x.log | from a hostile peer');
  });
});
