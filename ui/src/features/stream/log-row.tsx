import { memo, useMemo, type MouseEvent } from 'react';
import { LineText } from '../../components/line-text.js';
import { prettyJson } from '../../lib/text/json-line.js';
import { analyzeLine } from '../../lib/text/line-analysis.js';
import { formatClock, formatIso, lineTime, lineTimeTitle, RECEIVED_MARK } from '../../lib/text/time-format.js';
import type { LineEntry } from '../../lib/hub/stream-entry.js';
import type { MatchRange } from '../../../../protocol/index.js';
import { sourceLabel } from '../../lib/text/source-label.js';
import { textColumnChars } from './row-geometry.js';

/**
 * How much of a collapsed row is put in the DOM (more than the widest pane shows); the rest appears
 * when the row is expanded. Every character here is shaped at each layout, visible or not.
 */
const COLLAPSED_CHARS = 400;

/** A row opened to show: its whole (long) line, its JSON pretty-printed, or every line of its event. */
export type RowExpansion = 'wrap' | 'json' | 'event';

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
  // An event (a line with '\n' in it) shows its head; opened, every line of it, wrapped.
  const event = analysis.extraLines > 0;
  const eventOpen = event && expansion === 'event';
  const wrapped = wrapAll || expansion !== undefined;
  const pretty = useMemo(() => (expansion === 'json' ? prettyJson(analysis.visible) : undefined), [expansion, analysis.visible]);
  const source = useMemo(() => sourceLabel(line.file), [line.file]);
  const time = lineTime(line);
  // A collapsed row always shows the start of its line (the method and path, the level, the
  // service): what does not fit is ellipsized at the end, and expanding or Wrap shows all of it.
  // An event's head is shown whole once the event is opened, so it needs no toggle of its own.
  const columns = textColumnChars(rowChars, line.host, source.text, source.pod !== undefined) - (event ? EVENT_TOGGLE_CHARS : 0);
  const long = !event && (line.line.length > 160 || (columns > 0 && line.line.length > columns));
  const shownText = event && !eventOpen && expansion !== 'json' ? analysis.head : line.line;
  const classes = ['log-row'];
  if (wrapped) classes.push('log-row--wrap');
  if (eventOpen) classes.push('log-row--event-open');
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
      {source.pod ? (
        // Three parts, so that a long pod name gives way first and the container stays readable.
        <span className="log-row__file log-row__file--pod" title={source.title}>
          <span>{source.pod.namespace}/</span>
          <span className="log-row__pod">{source.pod.pod}</span>
          <span>/{source.pod.container}</span>
        </span>
      ) : (
        <span className="log-row__file" title={source.title}>
          {source.text}
        </span>
      )}
      <span className="log-row__text">
        {expansion === 'json' && pretty !== undefined ? (
          <pre className="log-row__json">{pretty}</pre>
        ) : (
          <LineText
            text={shownText}
            spans={analysis.spans}
            ranges={line.ranges}
            limit={wrapped ? undefined : COLLAPSED_CHARS}
          />
        )}
        {line.truncated && <span className="log-row__truncated" title="The agent cut this line at its maximum length">[truncated]</span>}
        {expansion === 'json' && pretty === undefined && <span className="log-row__note">not valid JSON</span>}
      </span>
      {event && <EventToggle id={line.id} lines={analysis.extraLines} open={eventOpen} hiddenMatch={!eventOpen && matchAfter(line.ranges, analysis.head.length)} onExpand={onExpand} />}
      {(analysis.json || long || (expansion !== undefined && expansion !== 'event')) && (
        <RowActions id={line.id} json={analysis.json} long={long && !wrapAll} expansion={expansion} onExpand={onExpand} />
      )}
    </div>
  );
});

/** Room the "+N lines" toggle takes in a row, in characters. */
const EVENT_TOGGLE_CHARS = 11;

/** Some match range lies past `offset` (in an event's lines a collapsed row does not show). */
function matchAfter(ranges: readonly MatchRange[], offset: number): boolean {
  return ranges.some(([, end]) => end > offset);
}

interface EventToggleProps {
  id: string;
  lines: number;
  open: boolean;
  /** A match of the filter is in the lines the collapsed row hides. */
  hiddenMatch: boolean;
  onExpand(id: string, expansion: RowExpansion | undefined): void;
}

/**
 * "+N lines": shows or hides an event's further lines (a stack trace's frames). Always visible, as
 * it says the row holds more; from the keyboard it is `e` on the cursor's row (use-pane-keys.ts).
 * Not a button, for the reason given at RowActions.
 */
function EventToggle({ id, lines, open, hiddenMatch, onExpand }: EventToggleProps) {
  const count = `${lines.toLocaleString()} ${lines === 1 ? 'line' : 'lines'}`;
  return (
    <span
      className="row-action log-row__event"
      data-action="event"
      data-pressed={open}
      data-match={hiddenMatch || undefined}
      title={open ? `Hide the ${count} after the first` : `Show the ${count} after the first${hiddenMatch ? ' (the filter matches in them)' : ''}`}
      onClick={(event) => {
        event.stopPropagation();
        onExpand(id, open ? undefined : 'event');
      }}
    >
      {open ? `− ${count}` : `+${count}`}
    </span>
  );
}

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
