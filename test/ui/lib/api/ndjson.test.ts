import { describe, expect, it } from 'vitest';
import { NdjsonDecoder, NdjsonError, readNdjson } from '../../../../ui/src/lib/api/ndjson.js';

const bytes = (text: string) => new TextEncoder().encode(text);

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

async function collect(body: ReadableStream<Uint8Array>): Promise<unknown[]> {
  const values: unknown[] = [];
  for await (const value of readNdjson(body)) values.push(value);
  return values;
}

describe('NdjsonDecoder', () => {
  it('yields each value once its newline arrives, whatever the chunk boundaries', () => {
    const decoder = new NdjsonDecoder();
    expect(decoder.push(bytes('{"a":1}\n{"b"'))).toEqual([{ a: 1 }]);
    expect(decoder.push(bytes(':2}'))).toEqual([]);
    expect(decoder.push(bytes('\n\n{"c":3}\r\n'))).toEqual([{ b: 2 }, { c: 3 }]);
    expect(decoder.end()).toEqual([]);
  });

  it('reassembles a multi-byte character split between chunks', () => {
    const all = bytes('{"line":"héllo ✓ 🙂"}\n');
    // Cut inside every character in turn: the value is always whole.
    for (let cut = 1; cut < all.length - 1; cut++) {
      const decoder = new NdjsonDecoder();
      const values = [...decoder.push(all.subarray(0, cut)), ...decoder.push(all.subarray(cut)), ...decoder.end()];
      expect(values).toEqual([{ line: 'héllo ✓ 🙂' }]);
    }
  });

  it('takes a last line without a newline at the end of the stream', () => {
    const decoder = new NdjsonDecoder();
    expect(decoder.push(bytes('{"type":"done"}'))).toEqual([]);
    expect(decoder.end()).toEqual([{ type: 'done' }]);
  });

  it('reports a line that is not JSON with its number', () => {
    const decoder = new NdjsonDecoder();
    expect(() => decoder.push(bytes('{"a":1}\n\n<html>\n'))).toThrow(new NdjsonError('line 3 is not JSON', 3));
  });

  it('refuses to buffer a line past its bound', () => {
    const decoder = new NdjsonDecoder(16);
    expect(() => decoder.push(bytes('{"a":"0123456789abcdef'))).toThrow(NdjsonError);
  });
});

describe('readNdjson', () => {
  it('reads a body chunk by chunk', async () => {
    await expect(collect(streamOf([bytes('{"n":1}\n{"n"'), bytes(':2}\n'), bytes('{"n":3}')]))).resolves.toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('cancels the body when the reader stops early', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(bytes('{"n":1}\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const value of readNdjson(body)) {
      expect(value).toEqual({ n: 1 });
      break;
    }
    expect(cancelled).toBe(true);
  });
});
