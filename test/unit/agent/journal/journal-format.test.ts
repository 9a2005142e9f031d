import { describe, expect, it } from 'vitest';
import { formatJournalRecord, realtimeText } from '../../../../agent/journal/journal-format.js';
import type { JournalRecord } from '../../../../agent/journal/journal-record.js';
import { eventTimeOf } from '../../../../lib/event-time/event-time.js';

const CURSOR = 's=1;i=1;b=2;m=3;t=4;x=5';
const TS = '1767323045123456';

function record(fields: Partial<JournalRecord>): JournalRecord {
  return { __CURSOR: CURSOR, __REALTIME_TIMESTAMP: TS, _HOSTNAME: 'web-1', SYSLOG_IDENTIFIER: 'nginx', _PID: '42', PRIORITY: '3', MESSAGE: 'hello', ...fields };
}

describe('formatJournalRecord', () => {
  it('writes time, priority word, identifier, pid and message', () => {
    expect(formatJournalRecord(record({}), 'web-1')).toBe('2026-01-02T03:04:05.123456Z ERR nginx[42]: hello');
  });

  it('names every syslog priority with a word the level detection knows', () => {
    const words = ['0', '1', '2', '3', '4', '5', '6', '7'].map((p) => formatJournalRecord(record({ PRIORITY: p }), 'web-1').split(' ')[1]);
    expect(words).toEqual(['EMERG', 'ALERT', 'CRIT', 'ERR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG']);
    expect(formatJournalRecord(record({ PRIORITY: '9' }), 'web-1')).toBe('2026-01-02T03:04:05.123456Z nginx[42]: hello');
  });

  it('names the entry\'s host only when it is not the agent\'s', () => {
    expect(formatJournalRecord(record({ _HOSTNAME: 'db-2' }), 'web-1')).toBe('2026-01-02T03:04:05.123456Z ERR db-2 nginx[42]: hello');
  });

  it('falls back to the unit, then the command, then "journal"; leaves out what is missing', () => {
    expect(formatJournalRecord(record({ SYSLOG_IDENTIFIER: undefined, _SYSTEMD_UNIT: 'cron.service' }), 'web-1')).toContain(' cron.service[42]: ');
    expect(formatJournalRecord(record({ SYSLOG_IDENTIFIER: '', _COMM: 'sshd' }), 'web-1')).toContain(' sshd[42]: ');
    const bare: JournalRecord = { __CURSOR: CURSOR };
    expect(formatJournalRecord(bare, 'web-1')).toBe('journal:');
    expect(formatJournalRecord(record({ _PID: 'abc', MESSAGE: null }), 'web-1')).toBe('2026-01-02T03:04:05.123456Z ERR nginx:');
  });

  it('keeps an entry one record: a MESSAGE of several lines is one event, trailing newlines dropped', () => {
    const line = formatJournalRecord(record({ MESSAGE: 'one\ntwo\r\nthree\rfour\n\n' }), 'web-1');
    expect(line).toBe('2026-01-02T03:04:05.123456Z ERR nginx[42]: one\u0000two\u0000three\\rfour');
    expect(formatJournalRecord(record({ SYSLOG_IDENTIFIER: 'a\nb' }), 'web-1')).toContain(' a\\nb[42]: ');
  });

  it('writes a NUL byte of any field as U+2400, so it never breaks an event', () => {
    expect(formatJournalRecord(record({ MESSAGE: 'a\u0000b', SYSLOG_IDENTIFIER: 'x\u0000y' }), 'web-1')).toBe('2026-01-02T03:04:05.123456Z ERR x\u2400y[42]: a\u2400b');
  });

  it('decodes a binary MESSAGE, replacing invalid UTF-8', () => {
    const bytes = [...Buffer.from('caf\u00e9 '), 0xff, 0xc3, 0x0a, 0x21];
    expect(formatJournalRecord(record({ MESSAGE: bytes }), 'web-1')).toBe('2026-01-02T03:04:05.123456Z ERR nginx[42]: caf\u00e9 \uFFFD\uFFFD\u0000!');
  });

  it('takes the first value of a field that occurs more than once', () => {
    expect(formatJournalRecord(record({ MESSAGE: [null, 'first', 'second'] }), 'web-1')).toContain(': first');
    expect(formatJournalRecord(record({ MESSAGE: [[0x68, 0x69], 'second'] }), 'web-1')).toContain(': hi');
  });

  it('starts with a time the hub reads as the event time', () => {
    const line = Buffer.from(formatJournalRecord(record({}), 'web-1'));
    expect(eventTimeOf(line, 0, line.length, Date.UTC(2026, 0, 3))).toBe(Date.UTC(2026, 0, 2, 3, 4, 5, 123));
  });
});

describe('realtimeText', () => {
  it('keeps microseconds, and leaves out a time no date can hold', () => {
    expect(realtimeText('0')).toBe('1970-01-01T00:00:00.000000Z');
    expect(realtimeText('1000001')).toBe('1970-01-01T00:00:01.000001Z');
    expect(realtimeText('99999999999999999999')).toBeUndefined();
    expect(realtimeText(undefined)).toBeUndefined();
  });
});
