import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseByteSize } from '../../../cli/parse-size.js';

describe('parseByteSize', () => {
  it.each([
    ['1048576', 1_048_576],
    ['2GiB', 2 * 2 ** 30],
    ['2gib', 2 * 2 ** 30],
    ['500 MiB', 500 * 2 ** 20],
    ['10GB', 10e9],
    ['1.5KiB', 1536],
    ['64kb', 64_000],
    ['3TiB', 3 * 2 ** 40],
    ['7b', 7],
  ])('reads %s as %d bytes', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it.each(['', '0', '0.1', '2 GiBs', '-5MiB', 'MiB', '1e9', '99999999999TiB'])('refuses %j', (text) => {
    expect(() => parseByteSize(text)).toThrow(InvalidArgumentError);
  });
});
