/** Longest NDJSON line taken (characters): far above a search record, and a bound on what is buffered. */
const MAX_NDJSON_LINE_CHARS = 4 * 1024 * 1024;

/** A stream that is not NDJSON: a line that is not JSON, or one longer than the bound. */
export class NdjsonError extends Error {
  constructor(
    message: string,
    readonly lineNumber: number,
  ) {
    super(message);
    this.name = 'NdjsonError';
  }
}

/**
 * Splits bytes into newline-delimited JSON values, whatever the chunk boundaries (inside a line or
 * a multi-byte character). Blank lines are skipped; a last line without its newline counts.
 */
export class NdjsonDecoder {
  private readonly text = new TextDecoder('utf-8');
  private pending = '';
  private lineNumber = 0;

  constructor(private readonly maxLineChars = MAX_NDJSON_LINE_CHARS) {}

  /** The values completed by `chunk`, in order. Throws NdjsonError on a bad line. */
  push(chunk: Uint8Array): unknown[] {
    return this.split(this.pending + this.text.decode(chunk, { stream: true }));
  }

  /** The value of a last line that had no newline, once the stream has ended. */
  end(): unknown[] {
    const rest = this.pending + this.text.decode();
    this.pending = '';
    return rest.trim() === '' ? [] : [this.parse(rest)];
  }

  private split(text: string): unknown[] {
    const values: unknown[] = [];
    let from = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', from)) {
      const line = text.slice(from, newline);
      from = newline + 1;
      if (line.trim() !== '') values.push(this.parse(line));
      else this.lineNumber += 1;
    }
    this.pending = text.slice(from);
    if (this.pending.length > this.maxLineChars) throw new NdjsonError(`line ${this.lineNumber + 1} is longer than ${this.maxLineChars} characters`, this.lineNumber + 1);
    return values;
  }

  private parse(line: string): unknown {
    this.lineNumber += 1;
    if (line.length > this.maxLineChars) throw new NdjsonError(`line ${this.lineNumber} is longer than ${this.maxLineChars} characters`, this.lineNumber);
    try {
      return JSON.parse(line) as unknown;
    } catch {
      throw new NdjsonError(`line ${this.lineNumber} is not JSON`, this.lineNumber);
    }
  }
}

/** Each JSON value of an NDJSON body as it arrives. Cancelling (return/abort) releases the stream. */
export async function* readNdjson(body: ReadableStream<Uint8Array>, maxLineChars?: number): AsyncGenerator<unknown, void, undefined> {
  const decoder = new NdjsonDecoder(maxLineChars);
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* decoder.push(value);
    }
    yield* decoder.end();
  } finally {
    // Stops the download when the consumer gave up early (cancel, or an error in a record).
    await reader.cancel().catch(() => undefined);
  }
}
