import { describe, expect, it } from 'vitest';
import { ApiFailure } from '../../../../server/api/api-failure.js';
import { buildCapture, buildDeploy, buildPin } from '../../../../server/storage/records.js';

describe('buildPin', () => {
  it('keeps the posted fields and adds a 12-character id, the time and the creator', () => {
    const pin = buildPin({ name: 'checkout errors', query: 'ERROR', caseInsensitive: true, hosts: ['web-*'] }, 'alice', 1000);
    expect(pin).toEqual({ name: 'checkout errors', query: 'ERROR', caseInsensitive: true, hosts: ['web-*'], id: pin.id, createdAt: 1000, createdBy: 'alice' });
    expect(pin.id).toMatch(/^[0-9a-z]{12}$/);
  });

  it('leaves createdBy out when nobody is known, and never reuses an id', () => {
    const pins = [buildPin({ name: 'p', query: 'x' }, undefined, 1), buildPin({ name: 'p', query: 'x' }, '', 1)];
    expect(pins.map((pin) => 'createdBy' in pin)).toEqual([false, false]);
    expect(pins[0]!.id).not.toBe(pins[1]!.id);
  });
});

describe('buildDeploy', () => {
  it('starts now unless told otherwise, and keeps the fields in their answered order', () => {
    const deploy = buildDeploy({ label: 'web 7', by: 'ci', url: 'https://ci.example/7', finishedAt: 6000 }, 'bob', 5000);
    expect(Object.keys(deploy)).toEqual(['id', 'label', 'startedAt', 'createdAt', 'by', 'url', 'finishedAt', 'createdBy']);
    expect(deploy).toMatchObject({ label: 'web 7', startedAt: 5000, createdAt: 5000, by: 'ci', url: 'https://ci.example/7', finishedAt: 6000, createdBy: 'bob' });
    expect(deploy.id).toMatch(/^[0-9a-z]{12}$/);
    expect(buildDeploy({ label: 'web 6', startedAt: 1000 }, undefined, 5000).startedAt).toBe(1000);
  });

  it('leaves out an empty by or url and an unknown creator, but keeps finishedAt 0', () => {
    const deploy = buildDeploy({ label: 'x', by: '', startedAt: 0, finishedAt: 0 }, undefined, 5000);
    expect(deploy).toEqual({ id: deploy.id, label: 'x', startedAt: 0, createdAt: 5000, finishedAt: 0 });
  });

  it('refuses a deploy that finished before it started, the default start included', () => {
    const refusal = { status: 400, code: 'SG_ERR_BAD_REQUEST', message: 'finishedAt: must not be before startedAt' };
    expect(() => buildDeploy({ label: 'x', startedAt: 2000, finishedAt: 1999 }, undefined, 5000)).toThrow(expect.objectContaining(refusal));
    expect(() => buildDeploy({ label: 'x', finishedAt: 4999 }, undefined, 5000)).toThrow(ApiFailure);
    expect(buildDeploy({ label: 'x', finishedAt: 5000 }, undefined, 5000).finishedAt).toBe(5000);
  });
});

describe('buildCapture', () => {
  const input = { title: 'outage token=abc', filter: { query: 'status=5\\d\\d' }, lines: [{ host: 'web-1', file: '/a.log', ts: 1, line: 'token=abc boom' }] };

  it('keeps the posted capture and adds an unguessable 16-character id, the time and the creator', () => {
    const capture = buildCapture(input, 'alice', 1000);
    expect(capture).toEqual({ ...input, id: capture.id, createdAt: 1000, createdBy: 'alice' });
    expect(capture.id).toMatch(/^[0-9a-z]{16}$/);
    expect('createdBy' in buildCapture(input, undefined, 1000)).toBe(false);
  });

  it('redacts the title and the lines, not the hosts, files or the filter', () => {
    const redactor = { redactLine: (text: string) => text.replaceAll('abc', '[REDACTED]') };
    const capture = buildCapture(input, undefined, 1000, redactor);
    expect(capture).toEqual({
      title: 'outage token=[REDACTED]',
      filter: input.filter,
      lines: [{ host: 'web-1', file: '/a.log', ts: 1, line: 'token=[REDACTED] boom' }],
      id: capture.id,
      createdAt: 1000,
    });
    expect(input.lines[0]!.line).toBe('token=abc boom');
  });
});
