/** The formats a followed file's lines can be in: `--format`, or detected per file. */
export type LineFormat = 'plain' | 'cri' | 'docker';

const EMPTY = Buffer.alloc(0);

/**
 * One raw line, decoded. A decoder returns the same object every time, so read it before the next
 * decode.
 */
export interface DecodedLine {
  /**
   * Put before the event's text when this line heads an event: `<runtime time> <stream> ` for the
   * container formats (the hub reads an event's time from its head, so the runtime's time becomes
   * the event time), empty for plain files.
   */
  prefix: Buffer;
  /** The line's own text, valid UTF-8; a '\n' in it (Docker's escaped newlines) breaks the event there. */
  message: Buffer;
  /** The runtime split the line (CRI `P`, a Docker `log` without its '\n'): the next line's message continues it. */
  partial: boolean;
  /** `stdout` or `stderr` for the container formats, empty for plain: lines of two streams never join. */
  stream: string;
}

export interface LineDecoder {
  readonly format: LineFormat;
  /**
   * Decodes one raw line (valid UTF-8, no '\n'). Never throws: a line not in the format is passed
   * through as plain text and counted in `undecodable`.
   */
  decode(line: Buffer): DecodedLine;
  readonly undecodable: number;
}

/** Fills `out` with `line` as plain text: what a decoder gives for a line not in its format. */
function asPlainText(out: DecodedLine, line: Buffer): DecodedLine {
  out.prefix = EMPTY;
  out.message = line;
  out.partial = false;
  out.stream = '';
  return out;
}

/**
 * A container format's decoder: `decodeInto` fills `out` and says whether the line is in the
 * format; any other line passes through as plain text and is counted.
 */
export class FormatDecoder implements LineDecoder {
  private count = 0;
  private readonly out: DecodedLine = { prefix: EMPTY, message: EMPTY, partial: false, stream: '' };

  constructor(
    readonly format: LineFormat,
    private readonly decodeInto: (line: Buffer, out: DecodedLine) => boolean,
  ) {}

  get undecodable(): number {
    return this.count;
  }

  decode(line: Buffer): DecodedLine {
    if (!this.decodeInto(line, this.out)) {
      this.count += 1;
      asPlainText(this.out, line);
    }
    return this.out;
  }
}

/** Plain text: every line is its own message. */
export class PlainDecoder implements LineDecoder {
  readonly format = 'plain';
  readonly undecodable = 0;
  private readonly out: DecodedLine = { prefix: EMPTY, message: EMPTY, partial: false, stream: '' };

  decode(line: Buffer): DecodedLine {
    this.out.message = line;
    return this.out;
  }
}
