/**
 * Log lines are hostile input. React already escapes markup; what remains dangerous is text that
 * changes how other text looks: bidirectional overrides can make `rm -rf /` display as something
 * else, and C0 controls render as nothing. Both are replaced by visible stand-ins for display only
 * (copying keeps the original characters).
 */
// The control characters in this class are deliberate: they are what is being made visible.
const INVISIBLE = /[\x00-\x08\x0b-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function visibleControls(text: string): string {
  INVISIBLE.lastIndex = 0;
  if (!INVISIBLE.test(text)) return text;
  return text.replace(INVISIBLE, (char) => {
    const code = char.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code); // Unicode "control pictures": ␀ … ␟
    if (code === 0x7f) return '\u2421'; // ␡
    return `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
  });
}
