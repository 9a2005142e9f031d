/**
 * Host and file filters are glob lists (picomatch on the hub). Picking an exact host or path from a
 * list must not turn `app[1].log` into a character class, so its special characters are escaped.
 */
const SPECIAL = /[\\*?[\]{}()!+@|^$]/;
const SPECIAL_ALL = new RegExp(SPECIAL.source, 'g');

export function escapeGlob(literal: string): string {
  return literal.replace(SPECIAL_ALL, (char) => `\\${char}`);
}

/** The literal a glob stands for if it has no wildcards (only escaped characters), else undefined. */
export function globLiteral(glob: string): string | undefined {
  let literal = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '\\' && i + 1 < glob.length) {
      literal += glob[i + 1];
      i += 1;
    } else if (SPECIAL.test(char)) {
      return undefined;
    } else {
      literal += char;
    }
  }
  return literal;
}
