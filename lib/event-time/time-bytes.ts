/** Byte-level helpers of the event-time parser: bounds-checked reads, digits, civil dates. */

/** The byte at `i`, or -1 at or past `end`. */
export function byteAt(b: Uint8Array, i: number, end: number): number {
  return i < end ? b[i]! : -1;
}

export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** An ASCII letter or digit, or any byte of a multi-byte UTF-8 character: a timestamp does not start after one. */
export function isWordByte(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) || c >= 0x80;
}

/** The value of exactly `count` decimal digits at `i`, or -1 when any of them is not a digit or lies past `end`. */
export function readDigits(b: Uint8Array, i: number, count: number, end: number): number {
  if (i + count > end) return -1;
  let value = 0;
  for (let p = i; p < i + count; p += 1) {
    const c = b[p]!;
    if (c < 0x30 || c > 0x39) return -1;
    value = value * 10 + (c - 0x30);
  }
  return value;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The last date utcMs computed (consecutive lines mostly state the same day). */
let lastDate = { year: Number.NaN, month: 0, day: 0, ms: 0 };

/** Midnight UTC of a calendar date in ms since the epoch, or undefined for a month or day that does not exist. */
export function utcMs(year: number, month: number, day: number): number | undefined {
  if (year === lastDate.year && month === lastDate.month && day === lastDate.day) return lastDate.ms;
  if (month < 1 || month > 12 || day < 1) return undefined;
  const days = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
  if (day > days) return undefined;
  const ms = civilDayMs(year, month, day);
  lastDate = { year, month, day, ms };
  return ms;
}

function civilDayMs(year: number, month: number, day: number): number {
  // Days from 1970-01-01 of a proleptic Gregorian date (years counted from March, so leap days come last).
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return (era * 146_097 + dayOfEra - 719_468) * 86_400_000;
}
