import { describe, expect, it } from 'vitest';
import { findCardNumber, luhnValid } from '../../../../lib/redaction/card-number.js';

describe('luhnValid', () => {
  it.each([
    ['4111111111111111', true],
    ['5500000000000004', true],
    ['378282246310005', true],
    ['6011111111111117', true],
    ['4222222222222', true],
    ['79927398713', true],
    ['4111111111111112', false],
    ['1234567812345678', false],
    ['0', true],
    ['', false],
  ])('%s is %s', (digits, expected) => {
    expect(luhnValid(digits)).toBe(expected);
  });
});

describe('findCardNumber', () => {
  it.each<[string, string, string | undefined]>([
    ['plain Visa', '4111111111111111', '4111111111111111'],
    ['Visa in groups of four', '4111 1111 1111 1111', '4111 1111 1111 1111'],
    ['Mastercard with dashes', '5500-0000-0000-0004', '5500-0000-0000-0004'],
    ['Amex 4-6-5', '3782 822463 10005', '3782 822463 10005'],
    ['13-digit Visa', '4222222222222', '4222222222222'],
    ['a year after the card', '4111 1111 1111 1111 2024', '4111 1111 1111 1111'],
    ['a year before the card', '2024 4111 1111 1111 1111', '4111 1111 1111 1111'],
    ['Luhn fails', '4111 1111 1111 1112', undefined],
    ['epoch milliseconds pass Luhn but start with 1', '1764190000125', undefined],
    ['too short', '411111111111', undefined],
    ['20 digits', '41111111111111111111', undefined],
    ['12 digits that pass Luhn', '468124158683', undefined],
    ['19 digits', '4069560423041144269', '4069560423041144269'],
    ['of two runs as long, the first', '4868 5849 0334 6480 9438', '4868 5849 0334 6480'],
    ['of two runs from one group, the longer', 'card 4389 6940 0272 5193 882', '4389 6940 0272 5193 882'],
  ])('%s', (_name, text, expected) => {
    const found = findCardNumber(text);
    expect(found && text.slice(found[0], found[1])).toBe(expected);
  });

  it('the epoch-millisecond example really passes Luhn, so only the issuer digit keeps it', () => {
    expect(luhnValid('1764190000125')).toBe(true);
  });
});
