import { describe, expect, it } from 'vitest';
import { AgentRateLimit } from '../../../../server/ingest/agent-rate-limit.js';

const body = (count: number, prefix = 'line') => Buffer.from(Array.from({ length: count }, (_, i) => `${prefix} ${i}\n`).join(''));

describe('AgentRateLimit', () => {
  it('passes batches under the rate untouched', () => {
    let now = 0;
    const limit = new AgentRateLimit(10, () => now);
    const batch = body(10);
    const result = limit.apply(batch, [7]);
    expect(result).toEqual({ body: batch, lineCount: 10, truncated: [7], droppedLines: 0 });
    now = 1_000;
    expect(limit.apply(body(3), undefined).droppedLines).toBe(0);
  });

  it('keeps the first lines the bucket allows and drops the rest of the batch', () => {
    let now = 0;
    const limit = new AgentRateLimit(5, () => now);
    const batch = body(8);
    const offsetOfLine6 = batch.indexOf('line 6');
    const result = limit.apply(batch, [0, offsetOfLine6]);
    expect(result.body.toString()).toBe('line 0\nline 1\nline 2\nline 3\nline 4\n');
    expect(result).toMatchObject({ lineCount: 5, droppedLines: 3, truncated: [0] });
    // Empty bucket: everything goes until it refills.
    expect(limit.apply(body(4), undefined)).toMatchObject({ lineCount: 0, droppedLines: 4 });
    now = 400;
    expect(limit.apply(body(4), undefined)).toMatchObject({ lineCount: 2, droppedLines: 2 });
  });

  it('counts lines in the body, not what the agent says', () => {
    const limit = new AgentRateLimit(3, () => 0);
    expect(limit.apply(body(10), undefined)).toMatchObject({ lineCount: 3, droppedLines: 7 });
  });
});
