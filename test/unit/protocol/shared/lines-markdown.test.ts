import { describe, expect, it } from 'vitest';
import type { Capture } from '../../../../protocol/index.js';
import {
  captureMarkdown,
  codeSpan,
  deployDivider,
  describeFilter,
  describeRange,
  escapeText,
  fenceFor,
  isoTime,
  linesMarkdown,
} from '../../../../protocol/shared/lines-markdown.js';

const T = Date.UTC(2026, 10, 26, 21, 33, 20, 123);

function capture(overrides: Partial<Capture> = {}): Capture {
  return {
    id: 'k3x9q2aa0000abcd',
    title: 'Checkout outage',
    createdAt: T + 60_000,
    createdBy: 'alice',
    filter: { query: 'status=5\\d\\d', exclude: 'healthcheck', caseInsensitive: true, hosts: ['web-*'], files: ['*.log', '/var/log/app/**'] },
    lines: [
      // The first states its own time, received 40 ms later; the second states none.
      { host: 'web-1', file: '/var/log/nginx/access.log', ts: T + 40, eventTs: T, line: 'GET /checkout status=503' },
      { host: 'web-2', file: '/var/log/nginx/access.log', ts: T + 1_500, line: 'GET /pay status=502' },
    ],
    ...overrides,
  };
}

/** The lines between the opening fence and the first line that closes it, as CommonMark reads them. */
function fencedBlock(markdown: string): { fence: string; body: string[]; after: string[] } {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => /^`{3,}text$/.test(line));
  const fence = lines[start]!.slice(0, -'text'.length);
  const end = lines.findIndex((line, i) => i > start && new RegExp(`^ {0,3}\`{${fence.length},}\\s*$`).test(line));
  return { fence, body: lines.slice(start + 1, end), after: lines.slice(end + 1) };
}

const PAGE = 'https://hub.example/captures/k3x9q2aa0000abcd';

function deploy(id: string, startedAt: number, extra: { label?: string; by?: string } = {}) {
  return { id, label: extra.label ?? `web ${id}`, ...(extra.by === undefined ? {} : { by: extra.by }), startedAt, createdAt: startedAt };
}

describe('capture Markdown', () => {
  it('has the title, the page, the filter, the time range, who and when, each line with host, file and ISO time (~ marks a received one), and each line\'s permalink', () => {
    expect(captureMarkdown(capture(), PAGE)).toBe(
      [
        '# Checkout outage',
        '',
        `- Capture: <${PAGE}>`,
        '- Filter: query `status=5\\d\\d`, exclude `healthcheck`, case-insensitive, hosts `web-*`, files `*.log` `/var/log/app/**`',
        '- Lines: 2, from 2026-11-26T21:33:20.123Z to 2026-11-26T21:33:21.623Z',
        '- Times marked `~` (1 of 2 lines): when the line was received; it states no time of its own',
        '- Captured by: alice',
        '- Captured at: 2026-11-26T21:34:20.123Z',
        '- Capture id: `k3x9q2aa0000abcd`',
        '',
        '```text',
        '2026-11-26T21:33:20.123Z web-1 /var/log/nginx/access.log | GET /checkout status=503',
        '~2026-11-26T21:33:21.623Z web-2 /var/log/nginx/access.log | GET /pay status=502',
        '```',
        '',
        'Line permalinks:',
        '',
        `1. 2026-11-26T21:33:20.123Z web-1: <${PAGE}#L1>`,
        `2. \\~2026-11-26T21:33:21.623Z web-2: <${PAGE}#L2>`,
        '',
      ].join('\n'),
    );
  });

  it('draws each deploy inside the lines\' span as a divider before the first line received at or after its start', () => {
    const lines = [0, 1_000, 2_000, 3_000].map((offset) => ({ host: 'h', file: '/f', ts: T + offset, line: `at ${offset}` }));
    const deploys = [deploy('late', T + 2_500, { by: 'ci' }), deploy('early', T + 1_000), deploy('outside-before', T - 1), deploy('outside-after', T + 3_001)];
    const markdown = captureMarkdown(capture({ lines, deploys }));
    expect(fencedBlock(markdown).body).toEqual([
      `~${isoTime(T)} h /f | at 0`,
      `──── deploy web early at ${isoTime(T + 1_000)} ────`,
      `~${isoTime(T + 1_000)} h /f | at 1000`,
      `~${isoTime(T + 2_000)} h /f | at 2000`,
      `──── deploy web late by ci at ${isoTime(T + 2_500)} ────`,
      `~${isoTime(T + 3_000)} h /f | at 3000`,
    ]);
    expect(markdown).toContain('- Deploys: 2, shown as dividers among the lines at their start time');
    // The same deploy twice (a stream's divider and the deploy log) is one divider.
    const twice = linesMarkdown({ title: 't', filter: undefined, lines, deploys: [deploy('early', T + 1_000), deploy('early', T + 1_000)] });
    expect(fencedBlock(twice).body.filter((line) => line.startsWith('────'))).toHaveLength(1);
  });

  it('keeps a hostile deploy label inside the fence: backticks lengthen it, line breaks are shown', () => {
    const lines = [{ host: 'h', file: '/f', ts: T, line: 'x' }, { host: 'h', file: '/f', ts: T + 10, line: 'y' }];
    const markdown = captureMarkdown(capture({ lines, deploys: [deploy('d', T + 5, { label: '````\n# pwned', by: 'a\r\nb' })] }));
    const { fence, body, after } = fencedBlock(markdown);
    expect(fence).toBe('`````');
    expect(body[1]).toBe(`──── deploy \`\`\`\`\\n# pwned by a\\r\\nb at ${isoTime(T + 5)} ────`);
    expect(after).toEqual(['']);
    expect(deployDivider(deploy('d', T, { label: 'web 1.2', by: 'al' }))).toBe(`──── deploy web 1.2 by al at ${isoTime(T)} ────`);
  });

  it('writes links only for plain http(s) URLs', () => {
    const hostile = linesMarkdown({
      title: 't',
      filter: undefined,
      lines: capture().lines,
      link: { label: 'Page', url: 'javascript:alert(1)' },
      lineUrl: (_line, index) => (index === 0 ? 'https://ok.example/#L1' : 'https://x.example/a b><img src=x>'),
    });
    expect(hostile).not.toContain('javascript:');
    expect(hostile).not.toContain('<img');
    expect(hostile).toContain('1. 2026-11-26T21:33:20.123Z web-1: <https://ok.example/#L1>');
    expect(hostile).not.toContain('2. ');
  });

  it('fences the lines with more backticks than any run in them, so a hostile line cannot close the block', () => {
    const hostile = [
      '```',
      '````` not a fence either',
      '```\n# Injected heading\n<script>alert(1)</script>',
      '~~~',
    ];
    const markdown = captureMarkdown(capture({ lines: hostile.map((line, i) => ({ host: 'h', file: '/f', ts: T + i, line })) }));
    const { fence, body, after } = fencedBlock(markdown);
    expect(fence).toBe('``````');
    // The third is an event of three lines: each on its own line, all inside the fence.
    expect(body).toHaveLength(6);
    expect(body[0]).toMatch(/ \| ```$/);
    const indent = ' '.repeat('~2026-11-26T21:33:20.125Z h /f '.length);
    expect(body.slice(2, 5)).toEqual(['~2026-11-26T21:33:20.125Z h /f | ```', `${indent}| # Injected heading`, `${indent}| <script>alert(1)</script>`]);
    expect(after).toEqual(['']);
  });

  it('renders an event whole: its head with host, file and time, each further line indented under it', () => {
    const trace = ['java.lang.IllegalStateException: boom', '\tat com.example.Cart.pay(Cart.java:42)', '\tat com.example.Api.handle(Api.java:7)', 'Caused by: java.io.IOException: reset\r'];
    const markdown = captureMarkdown(capture({ lines: [{ host: 'web-1', file: '/f', ts: T + 5, eventTs: T, line: trace.join('\n') }, { host: 'web-1', file: '/f', ts: T + 6, eventTs: T, line: 'next' }] }));
    const head = '2026-11-26T21:33:20.123Z web-1 /f ';
    const indent = ' '.repeat(head.length);
    expect(fencedBlock(markdown).body).toEqual([
      `${head}| java.lang.IllegalStateException: boom`,
      `${indent}| \tat com.example.Cart.pay(Cart.java:42)`,
      `${indent}| \tat com.example.Api.handle(Api.java:7)`,
      // A carriage return inside a line is still shown, not obeyed.
      `${indent}| Caused by: java.io.IOException: reset\\r`,
      `${head}| next`,
    ]);
    expect(markdown).toContain('- Lines: 2,');
  });

  it('says nothing of received times when every line states its own', () => {
    const markdown = captureMarkdown(capture({ lines: [{ host: 'h', file: '/f', ts: T + 5, eventTs: T, line: 'x' }] }));
    expect(markdown).not.toContain('Times marked');
    expect(fencedBlock(markdown).body).toEqual(['2026-11-26T21:33:20.123Z h /f | x']);
  });

  it('keeps backticks in hosts and files inside the fence too', () => {
    const markdown = captureMarkdown(capture({ lines: [{ host: '````h', file: '/f', ts: T, line: 'x' }] }));
    expect(fencedBlock(markdown).fence).toBe('`````');
  });

  it('escapes Markdown and HTML in the title and the creator', () => {
    const markdown = captureMarkdown(capture({ title: '*bold* <img src=x> [link](http://x)\n# two', createdBy: 'a_b' }));
    // The line break shows as an escaped "\n" (rendered as the two characters), never as a new line.
    expect(markdown.split('\n')[0]).toBe('# \\*bold\\* \\<img src=x\\> \\[link\\](http://x)\\\\n\\# two');
    expect(markdown).toContain('- Captured by: a\\_b');
    expect(escapeText('plain words, 5.0 - fine')).toBe('plain words, 5.0 - fine');
  });

  it('says when the creator or the filter was not recorded', () => {
    const { createdBy: _who, filter: _filter, ...rest } = capture();
    const markdown = captureMarkdown(rest);
    expect(markdown).toContain('- Captured by: not recorded (the hub has no tokens)');
    expect(markdown).toContain('- Filter: not recorded');
  });

  it('states the searched time range of a capture made from a search, and only then', () => {
    const markdown = captureMarkdown(capture({ range: { from: T - 900_000, to: T } }));
    expect(markdown).toContain(`- Searched: from ${isoTime(T - 900_000)} to ${isoTime(T)}`);
    expect(captureMarkdown(capture())).not.toContain('- Searched:');
  });

  it.each([
    [{ query: '' }, 'query empty (every line), case-sensitive, all hosts, all files'],
    [{ query: 'a`b', hosts: [] }, 'query ``a`b``, case-sensitive, all hosts, all files'],
    [{ query: '`x`' }, 'query `` `x` ``, case-sensitive, all hosts, all files'],
    [{ query: 'x', caseInsensitive: false, files: ['*.log'] }, 'query `x`, case-sensitive, all hosts, files `*.log`'],
    [{ query: 'x', namespaces: ['prod-*'], pods: ['web-1', 'web-2'], containers: ['app'] }, 'query `x`, case-sensitive, all hosts, all files, namespaces `prod-*`, pods `web-1` `web-2`, containers `app`'],
  ])('describes the filter %j', (filter, expected) => {
    expect(describeFilter(filter)).toBe(expected);
  });

  it('puts any text in a code span that shows it verbatim', () => {
    expect(codeSpan('plain')).toBe('`plain`');
    expect(codeSpan('has ``two`` ticks')).toBe('```has ``two`` ticks```');
    expect(codeSpan('line\nbreak')).toBe('`line\\nbreak`');
    expect(codeSpan(' ')).toBe('`   `');
  });

  it('takes the time range over unordered lines and shows times Date cannot hold as numbers', () => {
    expect(describeRange([T + 5_000, T, T + 1_000])).toBe('from 2026-11-26T21:33:20.123Z to 2026-11-26T21:33:25.123Z');
    expect(describeRange([T, T])).toBe('all at 2026-11-26T21:33:20.123Z');
    expect(isoTime(1e300)).toBe('1e+300 (not a valid time)');
    const markdown = captureMarkdown(capture({ lines: [{ host: 'h', file: 'f', ts: 1e300, line: 'x' }] }));
    expect(markdown).toContain('- Lines: 1, all at 1e+300 (not a valid time)');
  });

  it('uses at least three backticks for a fence', () => {
    expect(fenceFor(['no ticks'])).toBe('```');
    expect(fenceFor(['a ` b', '``'])).toBe('```');
    expect(fenceFor(['```'])).toBe('````');
  });
});
