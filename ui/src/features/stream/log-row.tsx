import { memo, useMemo, type MouseEvent } from 'react';
import { LineText } from '../../components/line-text.js';
import { collapsedStart } from '../../lib/text/highlight.js';
import { prettyJson } from '../../lib/text/json-line.js';
import { analyzeLine } from '../../lib/text/line-analysis.js';
import { formatClock, formatIso } from '../../lib/text/time-format.js';
import type { LineEntry } from '../../lib/hub/stream-entry.js';
import { textColumnChars } from './row-geometry.js';

/**
 * How much of a collapsed row is put in the DOM (more than the widest pane shows); the rest appears
 * when the row is expanded. Every character here is shaped at each layout, visible or not.
 */
export const COLLAPSED_CHARS = 400;

export type RowExpansion = 'wrap' | 'json';

interface LogRowProps {
  entry: LineEntry;
  seq: number;
  selected: boolean;
  highlighted: boolean;
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
export const LogRow = memo(function LogRow({ entry, seq, selected, highlighted, expansion, wrapAll, rowChars, onClick, onExpand }: LogRowProps) {
  const { line } = entry;
  const analysis = analyzeLine(entry, line.line);
  const wrapped = wrapAll || expansion !== undefined;
  const pretty = useMemo(() => (expansion === 'json' ? prettyJson(analysis.visible) : undefined), [expansion, analysis.visible]);
  const fileName = line.file.slice(line.file.lastIndexOf('/') + 1) || line.file;
  // A collapsed row starts near its first match only when that match would be out of view.
  const skip = wrapped ? 0 : collapsedStart(line.line, line.ranges, textColumnChars(rowChars, line.host, fileName));
  const long = line.line.length > 160 || skip > 0;
  const classes = ['log-row'];
  if (wrapped) classes.push('log-row--wrap');
  if (selected) classes.push('log-row--selected');
  if (highlighted) classes.push('log-row--highlighted');

  return (
    <div
      className={classes.join(' ')}
      data-level={analysis.level}
      data-line-id={line.id}
      aria-selected={selected}
      role="option"
      onClick={(event) => onClick(entry, seq, event)}
      // Shift-click picks a range of lines; without this the browser would also extend a text selection.
      onMouseDown={(event) => {
        if (event.shiftKey) event.preventDefault();
      }}
    >
      <time className="log-row__time" dateTime={formatIso(line.ts)}>
        {formatClock(line.ts)}
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
            from={skip}
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

/** Per-row buttons: pretty-print JSON, show the whole of a long line. Clicks do not select the row. */
function RowActions({ id, json, long, expansion, onExpand }: RowActionsProps) {
  const toggle = (event: MouseEvent, target: RowExpansion) => {
    event.stopPropagation();
    onExpand(id, expansion === target ? undefined : target);
  };
  return (
    <span className="log-row__actions">
      {json && (
        <button
          type="button"
          className="row-action"
          aria-pressed={expansion === 'json'}
          title={expansion === 'json' ? 'Show the raw line' : 'Pretty-print JSON'}
          onClick={(event) => toggle(event, 'json')}
        >
          {'{}'}
        </button>
      )}
      {(long || expansion === 'wrap') && (
        <button
          type="button"
          className="row-action"
          aria-pressed={expansion === 'wrap'}
          title={expansion === 'wrap' ? 'Collapse' : 'Show the whole line'}
          onClick={(event) => toggle(event, 'wrap')}
        >
          {expansion === 'wrap' ? '▴' : '▾'}
        </button>
      )}
    </span>
  );
}
