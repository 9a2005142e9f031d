import { describe, expect, it } from 'vitest';
import { createCaptureSchema, createDeploySchema, createPinSchema } from '../../../../protocol/index.js';
import { ApiFailure } from '../../../../server/api/api-failure.js';
import { parseBody } from '../../../../server/api/validate-body.js';

function refusal(run: () => unknown): ApiFailure {
  try {
    run();
  } catch (err) {
    if (err instanceof ApiFailure) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('request body validation', () => {
  it.each([
    [createPinSchema, { name: 5, query: 'x' }, 'name: Invalid input: expected string, received number'],
    [createPinSchema, { name: '  ', query: 'x' }, 'name: Too small: expected string to have >=1 characters'],
    [createPinSchema, { name: 'p' }, 'query: Invalid input: expected string, received undefined'],
    [createPinSchema, { name: 'p', query: 'x', hosts: ['web-*', 7] }, 'hosts[1]: Invalid input: expected string, received number'],
    [createPinSchema, { name: 'p', query: 'x', caseInsensitive: 'yes' }, 'caseInsensitive: Invalid input: expected boolean, received string'],
    [createDeploySchema, { label: 'web', url: 'ftp://x/y' }, 'url: Invalid URL'],
    [
      createDeploySchema,
      { label: 'web', startedAt: 'yesterday' },
      'startedAt: none of the accepted forms: (Invalid input: expected number, received string) or (Invalid ISO datetime)',
    ],
    [createCaptureSchema, { title: 't', lines: [] }, 'lines: Too small: expected array to have >=1 items'],
    [
      createCaptureSchema,
      { title: 't', lines: [{ host: 'h', file: 'f', ts: '1', line: 'x' }] },
      'lines[0].ts: Invalid input: expected number, received string',
    ],
  ])('names the field and the reason (%#)', (schema, body, message) => {
    const refused = refusal(() => parseBody(schema, body));
    expect([refused.status, refused.code, refused.message]).toEqual([400, 'SG_ERR_BAD_REQUEST', message]);
  });

  it('lists several problems at once, up to five', () => {
    const refused = refusal(() => parseBody(createDeploySchema, { label: 3, by: 4, url: 5, startedAt: true, finishedAt: null }));
    expect(refused.message.split('; ').map((part) => part.split(':')[0])).toEqual(['label', 'by', 'url', 'startedAt', 'finishedAt']);
    const many = refusal(() => parseBody(createCaptureSchema, { title: 't', lines: Array.from({ length: 8 }, () => ({})) }));
    expect(many.message).toMatch(/^lines\[0\]\.host: .*; and \d+ more problems$/);
  });

  it.each([undefined, null, [], 'text', 42])('asks for a JSON object when the body is %j', (body) => {
    expect(refusal(() => parseBody(createPinSchema, body)).message).toBe('body: expected a JSON object (with content-type: application/json)');
  });

  it('returns the parsed body, with ISO times turned into ms and names trimmed', () => {
    expect(parseBody(createDeploySchema, { label: ' web v1 ', startedAt: '2026-11-26T10:00:00Z', extra: 1 })).toEqual({
      label: 'web v1',
      startedAt: Date.UTC(2026, 10, 26, 10),
    });
  });
});
