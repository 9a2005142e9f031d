import type { CSSProperties } from 'react';
import { xterm256, type AnsiColor, type AnsiStyle } from '../lib/text/ansi.js';

export interface Presentation {
  className: string;
  style: CSSProperties | undefined;
}

/*
 * The 16 basic colours are CSS classes so each theme can pick readable shades (pure black text on a
 * dark background is invisible); 256-colour and true-colour values become inline colours, built from
 * validated numbers only. React applies them through CSSOM, which a strict CSP allows.
 */
const cache = new WeakMap<AnsiStyle, Presentation>();

export function presentAnsi(ansi: AnsiStyle): Presentation {
  const cached = cache.get(ansi);
  if (cached) return cached;
  const classes = ['ansi'];
  const style: CSSProperties = {};
  let fg = ansi.fg;
  let bg = ansi.bg;
  if (ansi.inverse) {
    [fg, bg] = [bg, fg];
    if (!fg) classes.push('ansi-fg-inverse');
    if (!bg) classes.push('ansi-bg-inverse');
  }
  applyColor(fg, 'fg', classes, style);
  applyColor(bg, 'bg', classes, style);
  if (ansi.bold) classes.push('ansi-bold');
  if (ansi.dim) classes.push('ansi-dim');
  if (ansi.italic) classes.push('ansi-italic');
  if (ansi.underline) classes.push('ansi-underline');
  if (ansi.strike) classes.push('ansi-strike');
  const presentation = { className: classes.join(' '), style: Object.keys(style).length > 0 ? style : undefined };
  cache.set(ansi, presentation);
  return presentation;
}

function applyColor(color: AnsiColor | undefined, layer: 'fg' | 'bg', classes: string[], style: CSSProperties): void {
  if (!color) return;
  const property = layer === 'fg' ? 'color' : 'backgroundColor';
  if (color.kind === 'rgb') style[property] = `rgb(${color.r}, ${color.g}, ${color.b})`;
  else if (color.index < 16) classes.push(`ansi-${layer}-${color.index}`);
  else style[property] = xterm256(color.index);
}
