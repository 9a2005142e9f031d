import { InvalidArgumentError } from 'commander';

const UNIT_BYTES: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  kib: 2 ** 10,
  mb: 1e6,
  mib: 2 ** 20,
  gb: 1e9,
  gib: 2 ** 30,
  tb: 1e12,
  tib: 2 ** 40,
};

/** Commander parser for a size on disk: bytes, or a number and a unit such as `500MiB`, `2GiB`, `10GB`. */
export function parseByteSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = match ? UNIT_BYTES[match[2]!.toLowerCase()] : undefined;
  const bytes = match && unit !== undefined ? Math.floor(Number(match[1]) * unit) : Number.NaN;
  if (!(bytes > 0) || !Number.isSafeInteger(bytes)) throw new InvalidArgumentError('expected a size such as 500MiB, 2GiB or 10GB (or a number of bytes)');
  return bytes;
}
