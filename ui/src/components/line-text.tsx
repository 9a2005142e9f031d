import { memo, useMemo, type ReactNode } from 'react';
import type { MatchRange } from '../../../protocol/index.js';
import type { AnsiSpan } from '../lib/text/ansi.js';
import { splitPieces, type TextPiece } from '../lib/text/highlight.js';
import { visibleControls } from '../lib/text/safe-text.js';
import { presentAnsi } from './ansi-style.js';
import './components.css';

interface LineTextProps {
  /** The raw line, escapes included (the hub's ranges index into it). */
  text: string;
  spans: readonly AnsiSpan[];
  ranges?: readonly MatchRange[];
  /** Render at most this many UTF-16 units (collapsed rows); an ellipsis marks the cut. */
  limit?: number;
  /** Skip the raw line before this offset (a collapsed row showing a far match); an ellipsis marks it. */
  from?: number;
}

const NO_RANGES: readonly MatchRange[] = [];

/**
 * A log line as React elements: ANSI colours as spans, the hub's matches as <mark>. A match that
 * crosses a colour change stays one <mark> around several coloured spans. Text goes in as text
 * nodes only; log lines are hostile input.
 */
export const LineText = memo(function LineText({ text, spans, ranges = NO_RANGES, limit, from = 0 }: LineTextProps) {
  const pieces = useMemo(() => splitPieces(text, spans, ranges, limit, from), [text, spans, ranges, limit, from]);
  const children: ReactNode[] = [];
  let index = 0;
  while (index < pieces.length) {
    const mark = pieces[index]!.mark;
    if (mark < 0) {
      children.push(renderPiece(pieces[index]!, index));
      index += 1;
      continue;
    }
    const group: ReactNode[] = [];
    const first = index;
    while (index < pieces.length && pieces[index]!.mark === mark) {
      group.push(renderPiece(pieces[index]!, index));
      index += 1;
    }
    children.push(<mark key={`m${first}`}>{group}</mark>);
  }
  const clipped = limit !== undefined && text.length > from + limit;
  return (
    <>
      {from > 0 && (
        <span className="line-text__clipped" aria-label="line starts earlier">
          …
        </span>
      )}
      {children}
      {clipped && <span className="line-text__clipped" aria-label="line continues">…</span>}
    </>
  );
});

function renderPiece(piece: TextPiece, key: number): ReactNode {
  const text = visibleControls(piece.text);
  // Unstyled text needs no element (and no key: React keys elements, not strings).
  if (!piece.style) return text;
  const { className, style } = presentAnsi(piece.style);
  return (
    <span key={key} className={className} style={style}>
      {text}
    </span>
  );
}
