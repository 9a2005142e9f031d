import { describe, expect, it, vi } from 'vitest';
import { DockerJsonDecoder } from '../../../../agent/formats/docker-json-decoder.js';

const TIME = '2026-12-07T22:50:27.118640447Z';

function decode(text: string, decoder = new DockerJsonDecoder()) {
  const out = decoder.decode(Buffer.from(text));
  return { prefix: out.prefix.toString(), message: out.message.toString(), partial: out.partial, stream: out.stream };
}

/** `text` in a buffer of its own (Buffer.from shares a pool, so views could not be told from copies). */
function ownBuffer(text: string): Buffer {
  const line = Buffer.alloc(Buffer.byteLength(text));
  line.write(text);
  return line;
}

/** A record as Docker writes it, with `log` given as its JSON source text. */
const record = (logSource: string, stream = 'stdout') => `{"log":"${logSource}","stream":"${stream}","time":"${TIME}"}`;

describe('DockerJsonDecoder', () => {
  it('decodes a complete line: prefix `<time> <stream> `, the message without its final newline', () => {
    expect(decode(record('GET /healthz 200\\n'))).toEqual({ prefix: `${TIME} stdout `, message: 'GET /healthz 200', partial: false, stream: 'stdout' });
    expect(decode(record('oops\\n', 'stderr'))).toEqual({ prefix: `${TIME} stderr `, message: 'oops', partial: false, stream: 'stderr' });
  });

  it('marks a log without its final newline partial (the daemon split it)', () => {
    expect(decode(record('first 16 KiB...'))).toMatchObject({ message: 'first 16 KiB...', partial: true });
    expect(decode(record(''))).toMatchObject({ message: '', partial: true });
    expect(decode(record('\\n'))).toMatchObject({ message: '', partial: false });
  });

  it('unescapes every JSON escape exactly', () => {
    expect(decode(record('a\\tb \\"q\\" back\\\\slash \\/ \\b\\f \\r mid\\n'))).toMatchObject({ message: 'a\tb "q" back\\slash / \b\f \r mid' });
    expect(decode(record('\\u003chtml\\u003e \\u0026 \\u001b[31mred\\u001b[0m \\u00e9\\u00E9 \\u2028\\n'))).toMatchObject({
      message: '<html> & \u001b[31mred\u001b[0m éé \u2028',
    });
    expect(decode(record('a\\\\\\\\\\n'))).toMatchObject({ message: 'a\\\\', partial: false });
    expect(decode(record('ends in a backslash\\\\'))).toMatchObject({ message: 'ends in a backslash\\', partial: true });
  });

  it('joins surrogate pairs into one code point, and makes lone surrogates U+FFFD', () => {
    expect(decode(record('rocket \\ud83d\\ude80 ok\\n')).message).toBe('rocket 🚀 ok');
    expect(decode(record('lone \\ud83d here, \\ude80 there, \\ud83d\\ud83d\\ude80\\n')).message).toBe('lone \ufffd here, \ufffd there, \ufffd🚀');
    expect(decode(record('at the end \\ud83d')).message).toBe('at the end \ufffd');
  });

  it('writes an escaped NUL as U+2400, since NUL breaks events on the wire', () => {
    expect(decode(record('a\\u0000b\\n')).message).toBe('a\u2400b');
    expect(decode(`{ "log": "a\\u0000b\\n", "stream": "stdout", "time": "${TIME}" }`).message).toBe('a\u2400b');
  });

  it('keeps raw UTF-8 and the newlines inside a log, drops a final CRLF', () => {
    expect(decode(record('héllo 日本語 🚀\\n')).message).toBe('héllo 日本語 🚀');
    expect(decode(record('one\\ntwo\\n\\tat x\\n'))).toMatchObject({ message: 'one\ntwo\n\tat x', partial: false });
    expect(decode(record('windows\\r\\n'))).toMatchObject({ message: 'windows', partial: false });
    expect(decode(record('lone cr\\r'))).toMatchObject({ message: 'lone cr\r', partial: true });
  });

  it('takes the fields in any order, extra fields and whitespace', () => {
    const expected = { prefix: `${TIME} stderr `, message: 'x', partial: false, stream: 'stderr' };
    expect(decode(`{"stream":"stderr","time":"${TIME}","log":"x\\n"}`)).toEqual(expected);
    expect(decode(`{"log":"x\\n","stream":"stderr","attrs":{"tag":"web","n":[1,{"a":"}"}]},"time":"${TIME}"}`)).toEqual(expected);
    expect(decode(`{ "log" : "x\\n" , "stream" : "stderr" , "time" : "${TIME}" }`)).toEqual(expected);
    expect(decode(`{"log":"x\\n","stream":"std\\u0065rr","time":"${TIME}"}`)).toEqual(expected);
  });

  it('uses the last of repeated keys, as JSON.parse does', () => {
    expect(decode(`{"log":"first\\n","log":"second\\n","stream":"stdout","time":"${TIME}"}`).message).toBe('second');
  });

  it('passes anything else through as plain text and counts it, without throwing', () => {
    const decoder = new DockerJsonDecoder();
    const notDocker = [
      'plain text',
      '',
      '{',
      `{"log":"half written\\n","stream":"stdout","ti`,
      `{"log":"x\\n","stream":"stdout"}`,
      `{"log":"x\\n","time":"${TIME}"}`,
      `{"stream":"stdout","time":"${TIME}"}`,
      `{"log":"x\\n","stream":"stdin","time":"${TIME}"}`,
      `{"log":42,"stream":"stdout","time":"${TIME}"}`,
      `{"log":"x\\n","stream":"stdout","time":""}`,
      `{"log":"x\\n","stream":"stdout","time":"2026-12-07 22:50:27"}`,
      `{"log":"bad \\x escape","stream":"stdout","time":"${TIME}"}`,
      `{"log":"bad \\u12 escape","stream":"stdout","time":"${TIME}"}`,
      `{"log":"x\\n","stream":"stdout","time":"${TIME}"} trailing`,
      `{"log":"x\\n","stream":"stdout","time":"${TIME}"},`,
      `["log","stream","time"]`,
      `{"log":"unterminated,"stream":"stdout","time":"${TIME}"}`,
    ];
    for (const line of notDocker) {
      expect(decode(line, decoder), line).toEqual({ prefix: '', message: line, partial: false, stream: '' });
    }
    expect(decoder.undecodable).toBe(notDocker.length);
  });

  it('reads Docker\'s own lines without JSON.parse: the message a view of the line', () => {
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const decoder = new DockerJsonDecoder();
      for (const log of ['plain message\\n', 'partial', 'quoted \\"x\\" \\u003c\\n']) decoder.decode(ownBuffer(record(log)));
      decoder.decode(ownBuffer(`{"stream":"stderr","time":"${TIME}","log":"x\\n"}`));
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
    const line = ownBuffer(record('plain message\\n'));
    const out = new DockerJsonDecoder().decode(line);
    expect(out.message.buffer).toBe(line.buffer);
  });

  it('never changes the line it decodes', () => {
    for (const log of ['plain message\\n', 'tab\\there\\r\\n', 'a\\u0000b']) {
      const text = record(log);
      const line = ownBuffer(text);
      new DockerJsonDecoder().decode(line);
      expect(line.toString()).toBe(text);
    }
  });

  it('keeps earlier results intact: buffers are never reused by a later decode', () => {
    const decoder = new DockerJsonDecoder();
    const first = decoder.decode(Buffer.from(record('first\\tline\\n')));
    const prefix = first.prefix;
    const message = first.message;
    decoder.decode(Buffer.from(`{"log":"other\\tline\\n","stream":"stderr","time":"2027-01-01T00:00:00Z"}`));
    expect([prefix.toString(), message.toString()]).toEqual([`${TIME} stdout `, 'first\tline']);
  });

  it('agrees with JSON.parse on every escape of a random log', () => {
    const decoder = new DockerJsonDecoder();
    const alphabet = ['a', 'é', '日', '🚀', '"', '\\', '/', '\n', '\r', '\t', '\b', '\f', '\u0001', '\u001f', '<', '&', '\u2028', '\ud83d', '\ude80', ' '];
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    for (let round = 0; round < 500; round += 1) {
      let log = '';
      const length = Math.floor(random() * 30);
      for (let i = 0; i < length; i += 1) log += alphabet[Math.floor(random() * alphabet.length)];
      // JSON.stringify escapes lone surrogates as \udXXX; escape more at random, as other writers might.
      let source = JSON.stringify(log).slice(1, -1);
      if (random() < 0.5) source = source.replace(/[a<&]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
      const out = decoder.decode(Buffer.from(record(source)));
      const complete = log.endsWith('\n');
      const expected = complete ? log.slice(0, log.endsWith('\r\n') ? -2 : -1) : log;
      expect(out.message.toString(), source).toBe(Buffer.from(expected).toString());
      expect(out.partial).toBe(!complete);
    }
    expect(decoder.undecodable).toBe(0);
  });
});
