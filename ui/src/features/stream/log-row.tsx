import { memo, useMemo, type MouseEvent } from 'react';
import { LineText } from '../../components/line-text.js';
import { prettyJson } from '../../lib/text/json-line.js';
import { analyzeLine } from '../../lib/text/line-analysis.js';
import { formatClock, formatIso, lineTime, lineTimeTitle, RECEIVED_MARK } from '../../lib/text/time-format.js';
import type { LineEntry } from '../../lib/hub/stream-entry.js';
import { textColumnChars } from './row-geometry.js';

/**
 * How much of a collapsed row is put in the DOM (more than the widest pane shows); the rest appears
 * when the row is expanded. Every character here is shaped at each layout, visible or not.
 */
const COLLAPSED_CHARS = 400;

export type RowExpansion = 'wrap' | 'json';

interface LogRowProps {
  entry: LineEntry;
  seq: number;
  selected: boolean;
  highlighted: boolean;
  /** Set on the keyboard cursor's row: its element id (the list's aria-activedescendant). */
  cursorDomId?: string;
  expansion: RowExpansion | undefined;
  wrapAll: boolean;
  /** Characters a collapsed row of this pane holds (rowCharsForWidth); changes only when the pane is resized. */
  rowChars: number;
  onClick(entry: LineEntry, seq: number, event: MouseEvent): void;
  onExpand(id: string, expansion: RowExpansion | undefined): void;
}

/**
 * One matching line. Memoized on its props, all of which stay identical for an unchanged row, so a
 * new batch renders only the rows it adds.
 */
export const LogRow = memo(function LogRow({ entry, seq, selected, highlighted, cursorDomId, expansion, wrapAll, rowChars, onClick, onExpand }: LogRowProps) {
  const { line } = entry;
  const analysis = analyzeLine(entry, line.line);
  const wrapped = wrapAll || expansion !== undefined;
  const pretty = useMemo(() => (expansion === 'json' ? prettyJson(analysis.visible) : undefined), [expansion, analysis.visible]);
  const fileName = line.file.slice(line.file.lastIndexOf('/') + 1) || line.file;
  const time = lineTime(line);
  // A collapsed row always shows the start of its line (the method and path, the level, the
  // service): what does not fit is ellipsized at the end, and expanding or Wrap shows all of it.
  const columns = textColumnChars(rowChars, line.host, fileName);
  const long = line.line.length > 160 || (columns > 0 && line.line.length > columns);
  const classes = ['log-row'];
  if (wrapped) classes.push('log-row--wrap');
  if (selected) classes.push('log-row--selected');
  if (highlighted) classes.push('log-row--highlighted');
  if (cursorDomId !== undefined) classes.push('log-row--cursor');

  return (
    <div
      className={classes.join(' ')}
      data-level={analysis.level}
      data-line-id={line.id}
      id={cursorDomId}
      aria-selected={selected}
      role="option"
      onClick={(event) => onClick(entry, seq, event)}
      // Shift-click picks a range of lines; without this the browser would also extend a text selection.
      onMouseDown={(event) => {
        if (event.shiftKey) event.preventDefault();
      }}
    >
      <time className={time.received ? 'log-row__time log-row__time--received' : 'log-row__time'} dateTime={formatIso(time.ts)} title={lineTimeTitle(line)}>
        <span className="log-row__time-mark">{time.received ? RECEIVED_MARK : ''}</span>
        {formatClock(time.ts)}
      </time>
      <span className="log-row__host" title={line.host}>
        {line.host}
      </span>
      <span className="log-row__file" title={line.file}>
        {fileName}
      </span>
      <span className="log-row__text">
        {expansion === 'json' && pretty !== undefined ? (
          <pre className="log-row__json">{pretty}</pre>
        ) : (
          <LineText
            text={line.line}
            spans={analysis.spans}
            ranges={line.ranges}
            limit={wrapped ? undefined : COLLAPSED_CHARS}
          />
        )}
        {line.truncated && <span className="log-row__truncated" title="The agent cut this line at its maximum length">[truncated]</span>}
        {expansion === 'json' && pretty === undefined && <span className="log-row__note">not valid JSON</span>}
      </span>
      {(analysis.json || long || expansion !== undefined) && (
        <RowActions id={line.id} json={analysis.json} long={long && !wrapAll} expansion={expansion} onExpand={onExpand} />
      )}
    </div>
  );
});

interface RowActionsProps {
  id: string;
  json: boolean;
  long: boolean;
  expansion: RowExpansion | undefined;
  onExpand(id: string, expansion: RowExpansion | undefined): void;
}

/**
 * Per-row toggles: pretty-print JSON, show the whole of a long line. Clicks do not select the row.
 * Not buttons: a row is a listbox option, which may not hold controls; from the keyboard the same
 * toggles are `o` and `p` on the cursor's row (use-pane-keys.ts), and Wrap for every row.
 */
function RowActions({ id, json, long, expansion, onExpand }: RowActionsProps) {
  const toggle = (event: MouseEvent, target: RowExpansion) => {
    event.stopPropagation();
    onExpand(id, expansion === target ? undefined : target);
  };
  return (
    <span className="log-row__actions" aria-hidden="true">
      {json && (
        <span
          className="row-action"
          data-action="json"
          data-pressed={expansion === 'json'}
          title={expansion === 'json' ? 'Show the raw line' : 'Pretty-print JSON'}
          onClick={(event) => toggle(event, 'json')}
        >
          {'{}'}
        </span>
      )}
      {(long || expansion === 'wrap') && (
        <span
          className="row-action"
          data-action="wrap"
          data-pressed={expansion === 'wrap'}
          title={expansion === 'wrap' ? 'Collapse' : 'Show the whole line'}
          onClick={(event) => toggle(event, 'wrap')}
        >
          {expansion === 'wrap' ? '▴' : '▾'}
        </span>
      )}
    </span>
  );
}
