import { describe, expect, it } from 'vitest';
import { MAX_TOKEN_CHARS, encodeToken, lineSubject, parseLineId } from '../../../../server/cluster/subjects.js';

/** NATS subject tokens may not hold '.', '*', '>' or whitespace, and must not be empty. */
const VALID_TOKEN = /^[^.*>\s]+$/;

describe('encodeToken', () => {
  it.each([
    ['web-1', 'web-1'],
    ['web-1.prod.example.com', 'web-1%2Eprod%2Eexample%2Ecom'],
    ['/var/log/nginx/access.log', '/var/log/nginx/access%2Elog'],
    ['a*b>c', 'a%2Ab%3Ec'],
    ['with space\tand tab', 'with%20space%09and%20tab'],
    ['100%', '100%25'],
    ['häst', 'h%C3%A4st'],
    ['', '%'],
  ])('%j -> %j', (text, token) => {
    expect(encodeToken(text)).toBe(token);
    expect(encodeToken(text)).toMatch(VALID_TOKEN);
  });

  it('is one-to-one on readable tokens: percent-decoding gives the text back', () => {
    for (const text of ['a.b', 'a%2Eb', '/x/y.z', 'a b', 'ünïcödé.log', '%', '%%']) {
      expect(decodeURIComponent(encodeToken(text))).toBe(text);
    }
    expect(encodeToken('a.b')).not.toBe(encodeToken('a%2Eb'));
  });

  it('hashes tokens that would be too long, distinctly and never like an encoded one', () => {
    const long = `/srv/${'deep/'.repeat(100)}app.log`;
    const token = encodeToken(long);
    expect(token).toMatch(/^%H[0-9a-f]{40}$/);
    expect(token.length).toBeLessThan(MAX_TOKEN_CHARS);
    expect(encodeToken(`${long}x`)).not.toBe(token);
    expect(encodeToken(long)).toBe(token);
  });
});

describe('lineSubject', () => {
  it('has exactly four tokens whatever the host and path hold', () => {
    const subject = lineSubject('db-1.eu.example.com', '/var/log/postgresql/postgresql-16.main.log');
    expect(subject).toBe('sg.lines.db-1%2Eeu%2Eexample%2Ecom./var/log/postgresql/postgresql-16%2Emain%2Elog');
    expect(subject.split('.')).toHaveLength(4);
  });
});

describe('parseLineId', () => {
  it.each([
    ['0a1b2c3d4e5f-7-1234', { hubId: '0a1b2c3d4e5f', prefix: '0a1b2c3d4e5f-7-', pos: 1234 }],
    ['0a1b2c3d4e5f-1-0', { hubId: '0a1b2c3d4e5f', prefix: '0a1b2c3d4e5f-1-', pos: 0 }],
  ])('%s', (id, parsed) => {
    expect(parseLineId(id)).toEqual(parsed);
  });

  it.each(['', 'abc', 'a-b', '-1-2', 'hub-x-2', 'hub-1-', 'hub-0-5', 'hub-1--3'])('rejects %j', (id) => {
    expect(parseLineId(id)).toBeUndefined();
  });
});
