import { describe, expect, it } from 'vitest';
import { CriDecoder } from '../../../../agent/formats/cri-decoder.js';

function decode(text: string, decoder = new CriDecoder()) {
  const out = decoder.decode(Buffer.from(text));
  return { prefix: out.prefix.toString(), message: out.message.toString(), partial: out.partial, stream: out.stream };
}

describe('CriDecoder', () => {
  it('splits a full line into the prefix (time verbatim, stream) and the message', () => {
    expect(decode('2026-12-07T22:50:27.118640447Z stdout F GET /healthz 200')).toEqual({
      prefix: '2026-12-07T22:50:27.118640447Z stdout ',
      message: 'GET /healthz 200',
      partial: false,
      stream: 'stdout',
    });
    expect(decode('2026-12-07T22:50:27.1Z stderr F  two spaces kept')).toMatchObject({ message: ' two spaces kept', stream: 'stderr' });
  });

  it('marks P lines partial and keeps their message as it is', () => {
    expect(decode('2026-12-07T22:50:27.1Z stdout P first half, ')).toEqual({
      prefix: '2026-12-07T22:50:27.1Z stdout ',
      message: 'first half, ',
      partial: true,
      stream: 'stdout',
    });
  });

  it('reads the time shapes containerd and CRI-O write: trimmed or no fraction, Z or an offset', () => {
    for (const time of ['2026-12-07T22:50:27Z', '2026-12-07T22:50:27.5Z', '2026-12-07T22:50:27.000000000+00:00', '2026-12-07T23:50:27.25-05:30']) {
      expect(decode(`${time} stdout F ok`)).toMatchObject({ prefix: `${time} stdout `, message: 'ok' });
    }
  });

  it('takes a line with no message after the tag, with or without the space', () => {
    expect(decode('2026-12-07T22:50:27.1Z stdout F')).toMatchObject({ prefix: '2026-12-07T22:50:27.1Z stdout ', message: '', partial: false });
    expect(decode('2026-12-07T22:50:27.1Z stdout P ')).toMatchObject({ message: '', partial: true });
  });

  it('ignores further :-separated tags after P or F, as the kubelet does', () => {
    expect(decode('2026-12-07T22:50:27.1Z stdout P:x message')).toMatchObject({ message: 'message', partial: true });
    expect(decode('2026-12-07T22:50:27.1Z stdout F:x')).toMatchObject({ message: '', partial: false });
  });

  it('passes anything else through as plain text and counts it, without throwing', () => {
    const decoder = new CriDecoder();
    const notCri = [
      'plain text line',
      '',
      '2026-12-07 22:50:27 stdout F a space instead of T',
      '2026-12-07T22:50:27.1Z stdin F no such stream',
      '2026-12-07T22:50:27.1Z stdout X unknown tag',
      '2026-12-07T22:50:27.1Z stdout FF tag too long',
      '2026-12-07T22:50:27.Z stdout F empty fraction',
      '2026-12-07T22:50:27.1 stdout F no zone',
      '2026-12-07T22:50:27.1+0100 stdout F offset without colon',
      '2026-12-07T22:50:27.1Z stdout',
      '2026-12-07T22:50:27.1Z  stdout F two spaces',
      '2026-1',
    ];
    for (const line of notCri) {
      expect(decode(line, decoder)).toEqual({ prefix: '', message: line, partial: false, stream: '' });
    }
    expect(decoder.undecodable).toBe(notCri.length);
    decode('2026-12-07T22:50:27.1Z stdout F fine', decoder);
    expect(decoder.undecodable).toBe(notCri.length);
  });

  it('returns views of the line, not copies', () => {
    const line = Buffer.alloc(35);
    line.write('2026-12-07T22:50:27.1Z stdout F abc');
    const out = new CriDecoder().decode(line);
    expect(out.message.buffer).toBe(line.buffer);
    expect(out.prefix.buffer).toBe(line.buffer);
  });
});
