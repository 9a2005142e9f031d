import { describe, expect, it } from 'vitest';
import { fieldText, parseJournalLine } from '../../../../agent/journal/journal-record.js';

describe('parseJournalLine', () => {
  it('reads an entry of journalctl -o json, dropping fields it does not use', () => {
    const parsed = parseJournalLine(JSON.stringify({ __CURSOR: 'c1', __REALTIME_TIMESTAMP: '1700000000000000', MESSAGE: 'hi', PRIORITY: '6', _TRANSPORT: 'stdout' }));
    expect(parsed).toEqual({ record: { __CURSOR: 'c1', __REALTIME_TIMESTAMP: '1700000000000000', MESSAGE: 'hi', PRIORITY: '6' } });
  });

  it('accepts byte arrays, nulls and repeated fields', () => {
    const parsed = parseJournalLine(JSON.stringify({ __CURSOR: 'c1', MESSAGE: [104, 255], _HOSTNAME: null, SYSLOG_IDENTIFIER: ['a', [98]] }));
    expect('record' in parsed && parsed.record.MESSAGE).toEqual([104, 255]);
  });

  it('refuses an entry without a cursor, a malformed time or byte, and what is not JSON', () => {
    expect(parseJournalLine(JSON.stringify({ MESSAGE: 'x' }))).toHaveProperty('error');
    expect(parseJournalLine(JSON.stringify({ __CURSOR: 'c', __REALTIME_TIMESTAMP: '-1' }))).toHaveProperty('error');
    expect(parseJournalLine(JSON.stringify({ __CURSOR: 'c', MESSAGE: [300] }))).toHaveProperty('error');
    expect(parseJournalLine(JSON.stringify({ __CURSOR: 'c', MESSAGE: { a: 1 } }))).toHaveProperty('error');
    expect(parseJournalLine('{"__CURSOR": "c"')).toEqual({ error: expect.stringMatching(/^not valid JSON/) as string });
  });
});

describe('fieldText', () => {
  it('decodes bytes as UTF-8 with replacement characters', () => {
    expect(fieldText([0x61, 0xff, 0x62])).toBe('a\uFFFDb');
    expect(fieldText([])).toBe('');
    expect(fieldText(null)).toBeUndefined();
    expect(fieldText(undefined)).toBeUndefined();
    expect(fieldText([null, [0x7a]])).toBe('z');
  });
});
