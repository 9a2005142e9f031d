import { describe, expect, it } from 'vitest';
import { eventTimeOf, PREFIX_BYTES } from '../../../../lib/event-time/event-time.js';
import { JSON_SCAN_BYTES } from '../../../../lib/event-time/json-field.js';

/** When the agent read the lines of these tests: 2026-12-07T10:22:05Z. */
const RECEIVED = Date.UTC(2026, 11, 7, 10, 22, 5);
const STATED = Date.UTC(2026, 11, 7, 10, 22, 2, 123);

/** The event time of `line` as the hub reads it: one line inside a body, between other lines. */
function timeOf(line: string | Buffer, received = RECEIVED): number | undefined {
  const text = typeof line === 'string' ? Buffer.from(line) : line;
  const body = Buffer.concat([Buffer.from('before 2026-12-07T00:00:00Z\n'), text, Buffer.from('\n2026-01-01T00:00:00Z after\n')]);
  const start = body.indexOf(0x0a) + 1;
  return eventTimeOf(body, start, start + text.length, received);
}

const iso = (text: string) => Date.parse(text);

describe('eventTimeOf: RFC 3339 / ISO 8601', () => {
  it.each([
    ['2026-12-07T10:22:02.123Z INFO done', STATED],
    ['2026-12-07t10:22:02.123z lower-case T and Z', STATED],
    ['2026-12-07 10:22:02.123Z a space instead of T', STATED],
    ['2026-12-07T10:22:02.123 no zone is UTC', STATED],
    ['2026-12-07 10:22:02,123 python logging comma', STATED],
    ['2026-12-07T11:22:02.123+01:00 offset', STATED],
    ['2026-12-07T11:22:02.123+0100 offset without colon', STATED],
    ['2026-12-07T11:22:02.123+01 offset hours only', STATED],
    ['2026-12-07T05:52:02.123-04:30 negative offset', STATED],
    ['2026-12-07 11:22:02.123 +0100 spaced offset', STATED],
    ['2026-12-07T10:22:02.123456789Z nanoseconds truncated', STATED],
    ['2026-12-07T10:22:02.1Z one fraction digit', Date.UTC(2026, 11, 7, 10, 22, 2, 100)],
    ['2026-12-07T10:22Z no seconds', Date.UTC(2026, 11, 7, 10, 22)],
    ['2026-12-07T10:22:02 -1 retries left', Date.UTC(2026, 11, 7, 10, 22, 2)],
    ['2026-12-07T10:22:02', Date.UTC(2026, 11, 7, 10, 22, 2)],
  ])('%s', (line, expected) => {
    expect(timeOf(line)).toBe(expected);
  });

  it.each([
    ['[2026-12-07T10:22:02.123Z] bracketed', STATED],
    ['INFO  2026-12-07T10:22:02.123Z after a level', STATED],
    ['[ERROR] (worker-3) 2026-12-07 10:22:02.123 after a bracketed level', STATED],
    ['<34>1 2026-12-07T10:22:02.123Z host app - - RFC 5424 syslog', STATED],
    ['ts=2026-12-07T10:22:02.123Z level=info logfmt', STATED],
  ])('after a prefix: %s', (line, expected) => {
    expect(timeOf(line)).toBe(expected);
  });

  it('takes the first timestamp in the line', () => {
    expect(timeOf('2026-12-07T10:22:02.123Z retried job from 2026-12-06T00:00:00Z')).toBe(STATED);
  });

  it('finds one that starts within the first PREFIX_BYTES bytes, not later', () => {
    const stamp = '2026-12-07T10:22:02.123Z';
    expect(timeOf(`${'x '.repeat((PREFIX_BYTES - 2) / 2)}${stamp}`)).toBe(STATED);
    expect(timeOf(`${'x '.repeat(PREFIX_BYTES / 2)}${stamp}`)).toBeUndefined();
  });

  it('handles a leap day, and refuses Feb 29 of a common year', () => {
    expect(timeOf('2024-02-29T12:00:00Z leap', Date.UTC(2024, 2, 1))).toBe(Date.UTC(2024, 1, 29, 12));
    expect(timeOf('2025-02-29T12:00:00Z not a leap year', Date.UTC(2025, 2, 1))).toBeUndefined();
    expect(timeOf('2000-02-29T00:00:00Z 400-year rule', Date.UTC(2000, 2, 1))).toBe(Date.UTC(2000, 1, 29));
  });

  it.each([
    '2026-13-07T10:22:02Z month 13',
    '2026-00-07T10:22:02Z month 0',
    '2026-04-31T10:22:02Z April 31',
    '2026-12-00T10:22:02Z day 0',
    '2026-12-07T24:00:00Z hour 24',
    '2026-12-07T10:60:00Z minute 60',
    '2026-12-07T10:22:61Z second 61',
    '2026-12-07T10:22:02+25:00 offset 25 h',
    '2026-12-07T10:22:02+01: offset cut',
    '2026-12-07 a date alone',
    '2026-12-07T10 an hour alone',
    '2026-12-07T10:223 a minute of three digits',
    '26-12-07 10:22:02 two-digit year',
    '07/12/26 10:22:02 two-digit year, slashes',
    '12026-12-07T10:22:02Z five-digit year',
    'id=x2026-12-07T10:22:02Z inside a word',
    '2026-12-0',
    '2026-12-07T10:2',
    '',
  ])('none in %j', (line) => {
    expect(timeOf(line)).toBeUndefined();
  });

  it('takes a leap second into the next minute', () => {
    expect(timeOf('2016-12-31T23:59:60Z leap second', Date.UTC(2017, 0, 1))).toBe(Date.UTC(2017, 0, 1));
  });
});

describe('eventTimeOf: consecutive lines', () => {
  it('reads each line its own date, whatever date the line before stated', () => {
    const received = Date.UTC(2028, 11, 31);
    const lines = ['2028-02-28T01:00:00Z', '2028-02-29T01:00:00Z', '2027-02-29T01:00:00Z', '2028-02-29T01:00:00Z', '2028-03-01T01:00:00Z', '2028-02-29T01:00:00Z'];
    expect(lines.map((line) => timeOf(line, received))).toEqual([iso(lines[0]!), iso(lines[1]!), undefined, iso(lines[3]!), iso(lines[4]!), iso(lines[5]!)]);
  });
});

describe('eventTimeOf: plausibility', () => {
  it('refuses a time before 2000 and goes on to the next candidate', () => {
    expect(timeOf('1999-12-31T23:59:59Z old')).toBeUndefined();
    expect(timeOf('1999-12-31T23:59:59Z 2026-12-07T10:22:02.123Z')).toBe(STATED);
  });

  it('refuses a time more than a day after the received time, takes one just within', () => {
    expect(timeOf('2026-12-08T10:22:05Z one day ahead')).toBe(RECEIVED + 86_400_000);
    expect(timeOf('2026-12-08T10:22:06Z a day and a second ahead')).toBeUndefined();
    expect(timeOf('2031-01-01T00:00:00Z far future')).toBeUndefined();
  });

  it('takes a time long before the received time (a replayed or late file)', () => {
    expect(timeOf('2020-01-01T00:00:00Z old file')).toBe(Date.UTC(2020, 0, 1));
  });
});

describe('eventTimeOf: common log format', () => {
  it.each([
    ['10.0.0.1 - - [07/Dec/2026:10:22:02 +0000] "GET / HTTP/1.1" 200 12', Date.UTC(2026, 11, 7, 10, 22, 2)],
    ['10.0.0.1 - frank [07/Dec/2026:11:22:02 +0100] "GET /"', Date.UTC(2026, 11, 7, 10, 22, 2)],
    ['[07/Dec/2026:05:22:02 -0500] at the start', Date.UTC(2026, 11, 7, 10, 22, 2)],
    ['[07/Dec/2026:10:22:02] no zone is UTC', Date.UTC(2026, 11, 7, 10, 22, 2)],
    ['[29/Feb/2024:00:00:00 +0000] leap day', Date.UTC(2024, 1, 29)],
  ])('%s', (line, expected) => {
    expect(timeOf(line)).toBe(expected);
  });

  it.each(['[07/Dek/2026:10:22:02 +0000] bad month', '[32/Dec/2026:10:22:02 +0000] day 32', '[07/dec/2026:10:22:02 +0000] lower-case month', '[29/Feb/2025:00:00:00 +0000] no leap day', '[07/Dec/2026:10:22 +0000] no seconds', '[07/Dec/26:10:22:02 +0000] two-digit year'])(
    'none in %j',
    (line) => {
      expect(timeOf(line)).toBeUndefined();
    },
  );
});

describe('eventTimeOf: syslog', () => {
  it.each([
    ['Dec  7 10:22:02 web-1 sshd[42]: accepted', Date.UTC(2026, 11, 7, 10, 22, 2)],
    ['Dec 07 10:22:02 web-1 zero-padded day', Date.UTC(2026, 11, 7, 10, 22, 2)],
    ['Dec 7 10:22:02 web-1 unpadded day', Date.UTC(2026, 11, 7, 10, 22, 2)],
    ['Dec  7 10:22:02.123 web-1 fraction', STATED],
    ['<34>Dec  7 10:22:02 web-1 with a priority', Date.UTC(2026, 11, 7, 10, 22, 2)],
  ])('%s', (line, expected) => {
    expect(timeOf(line)).toBe(expected);
  });

  it('takes the year that puts the line nearest to the received time, across New Year', () => {
    const newYear = Date.UTC(2027, 0, 1, 0, 0, 5);
    expect(timeOf('Dec 31 23:59:58 web-1 last year', newYear)).toBe(Date.UTC(2026, 11, 31, 23, 59, 58));
    expect(timeOf('Jan  1 00:00:01 web-1 this year', newYear)).toBe(Date.UTC(2027, 0, 1, 0, 0, 1));
    // Read just before New Year with the agent's clock behind: next year, within the day ahead.
    expect(timeOf('Jan  1 00:00:01 web-1', Date.UTC(2026, 11, 31, 23, 59, 50))).toBe(Date.UTC(2027, 0, 1, 0, 0, 1));
  });

  it('puts Feb 29 in the nearest leap year, and refuses it when that is in the future', () => {
    expect(timeOf('Feb 29 12:00:00 host leap', Date.UTC(2028, 2, 1))).toBe(Date.UTC(2028, 1, 29, 12));
    expect(timeOf('Feb 29 12:00:00 host leap', Date.UTC(2029, 0, 10))).toBe(Date.UTC(2028, 1, 29, 12));
    expect(timeOf('Feb 29 12:00:00 host leap', Date.UTC(2027, 2, 1))).toBeUndefined();
  });

  it.each(['Dec 32 10:22:02 day 32', 'Dex  7 10:22:02 not a month', 'December 7 10:22:02 long month name', 'Dec  7 10:22 no seconds', 'Decimal  7 10:22:02', 'Apr 31 10:22:02 April 31'])(
    'none in %j',
    (line) => {
      expect(timeOf(line)).toBeUndefined();
    },
  );
});

describe('eventTimeOf: epoch numbers at the start', () => {
  it.each([
    ['1796638922 seconds', Date.UTC(2026, 11, 7, 10, 22, 2)],
    ['1796638922.123 seconds with a fraction', STATED],
    ['1796638922123 milliseconds', STATED],
    ['1796638922123', STATED],
  ])('%s', (line, expected) => {
    expect(timeOf(line)).toBe(expected);
  });

  it.each(['179663892 nine digits', '17966389221 eleven digits', '17966389221234 fourteen digits', '1796638922abc glued to a word', 'x 1796638922 not at the start', '0000000001 before 2000', '9999999999 far future'])(
    'none in %j',
    (line) => {
      expect(timeOf(line)).toBeUndefined();
    },
  );
});

describe('eventTimeOf: JSON lines', () => {
  it.each([
    ['{"ts":"2026-12-07T10:22:02.123Z","level":"info"}', STATED],
    ['{"level":"info","msg":"x","time":"2026-12-07T10:22:02.123Z"}', STATED],
    ['{"timestamp":"2026-12-07T11:22:02.123+01:00"}', STATED],
    ['{"@timestamp":"2026-12-07T10:22:02.123Z","message":"x"}', STATED],
    ['{ "ts" : "2026-12-07T10:22:02.123Z" }', STATED],
    ['{"ts":1796638922.123,"level":"info"}', STATED],
    ['{"ts":1796638922,"level":"info"}', Date.UTC(2026, 11, 7, 10, 22, 2)],
    ['{"ts":1796638922123}', STATED],
    ['{"ts":1796638922123456}', STATED],
    ['{"ts":1796638922123456789}', STATED],
    ['{"ts":"1796638922123"}', STATED],
    ['{"msg":"say \\"hi\\", {not: a key}","list":[1,{"ts":5}],"obj":{"ts":"1999-01-01T00:00:00Z"},"ts":"2026-12-07T10:22:02.123Z"}', STATED],
    ['{"ts":"not a time","time":"2026-12-07T10:22:02.123Z"}', STATED],
    ['{"flag":true,"n":null,"x":-1.5,"time":"2026-12-07T10:22:02.123Z"}', STATED],
  ])('%s', (line, expected) => {
    expect(timeOf(line)).toBe(expected);
  });

  it.each([
    '{"level":"info","msg":"no time"}',
    '{"meta":{"ts":"2026-12-07T10:22:02.123Z"}} nested only',
    '{"msg":"\\"ts\\":\\"2026-12-07T10:22:02.123Z\\""} inside a string',
    '{"tsx":"2026-12-07T10:22:02.123Z"} another key',
    '{"ts":-1796638922}',
    '{"ts":1.796638922e9}',
    '{"ts":"2026-12-07T10:22:02.123Z cut inside the string',
    '{"ts":"2026-12-07T10:22:',
    '{"msg":"cut',
    '{"a" 1, "ts": "2026-12-07T10:22:02.123Z"} malformed',
    '{"ts":"2031-01-01T00:00:00Z"} future',
    '{"ts":12345} small number',
  ])('none in %j', (line) => {
    expect(timeOf(line)).toBeUndefined();
  });

  it('searches the first JSON_SCAN_BYTES bytes only', () => {
    const field = ',"time":"2026-12-07T10:22:02.123Z"}';
    const head = '{"msg":"';
    const fits = head + 'x'.repeat(JSON_SCAN_BYTES - head.length - field.length - 1) + '"' + field;
    expect(timeOf(fits)).toBe(STATED);
    expect(timeOf(head + 'x'.repeat(JSON_SCAN_BYTES) + '"' + field)).toBeUndefined();
  });
});

describe('eventTimeOf: other input', () => {
  it('finds nothing in binary bytes, and does not read past the line', () => {
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x32, 0x30, 0x32, 0x36, 0x2d, 0x80, 0x1b, 0x5b, 0x7b]);
    expect(timeOf(binary)).toBeUndefined();
    // The line ends inside the timestamp; the bytes after it (the next line) are not read.
    const body = Buffer.from('2026-12-07T10:22:02Z');
    expect(eventTimeOf(body, 0, 15, RECEIVED)).toBeUndefined();
    expect(eventTimeOf(body, 0, body.length, RECEIVED)).toBe(Date.UTC(2026, 11, 7, 10, 22, 2));
  });

  it('finds a timestamp after multi-byte UTF-8 followed by a space, not glued to it', () => {
    expect(timeOf('é 2026-12-07T10:22:02.123Z')).toBe(STATED);
    expect(timeOf('é2026-12-07T10:22:02.123Z')).toBeUndefined();
  });

  it('reads the demo generator lines', () => {
    const stamp = new Date(STATED).toISOString();
    expect(timeOf(`${stamp} web-1 nginx: 10.0.1.2 "GET /x HTTP/1.1" status=200`)).toBe(STATED);
    expect(timeOf(JSON.stringify({ ts: stamp, level: 'info', msg: 'request metrics' }))).toBe(STATED);
    expect(timeOf(`${stamp} \u001b[32mINFO\u001b[0m  [worker] job done`)).toBe(STATED);
  });

  it('agrees with Date.parse on random ISO times across the years', () => {
    for (let ms = Date.UTC(2000, 0, 1); ms < Date.UTC(2030, 0, 1); ms += 86_400_000 * 37 + 3_600_123) {
      const text = new Date(ms).toISOString();
      expect(timeOf(`${text} x`, Date.UTC(2031, 0, 1))).toBe(iso(text));
    }
  });
});
