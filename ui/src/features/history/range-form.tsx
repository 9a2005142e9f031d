import { useId, useState } from 'react';
import { formatLocalInput, parseLocalInput } from './time-range.js';

interface RangeFormProps {
  /** The fields' first values, ms since the epoch (shown in local time). */
  initialFrom: number;
  initialTo: number;
  ariaLabel: string;
  className: string;
  submitLabel: string;
  /** A range whose ends are equal is accepted (a search of one instant); a chart window needs width. */
  allowEmpty: boolean;
  onPick(from: number, to: number): void;
}

/** A from/to pair of local date-time fields, checked before it is submitted: the history's custom range and the chart's custom window. */
export function RangeForm({ initialFrom, initialTo, ariaLabel, className, submitLabel, allowEmpty, onPick }: RangeFormProps) {
  const [from, setFrom] = useState(() => formatLocalInput(initialFrom));
  const [to, setTo] = useState(() => formatLocalInput(initialTo));
  const fromId = useId();
  const toId = useId();
  const start = parseLocalInput(from);
  const end = parseLocalInput(to);
  const backwards = start !== undefined && end !== undefined && (allowEmpty ? start > end : start >= end);
  const problem = start === undefined || end === undefined ? 'Enter both times.' : backwards ? 'From must be before to.' : undefined;
  return (
    <form
      className={className}
      aria-label={ariaLabel}
      onSubmit={(event) => {
        event.preventDefault();
        if (start !== undefined && end !== undefined && !problem) onPick(start, end);
      }}
    >
      <label htmlFor={fromId}>From</label>
      <input id={fromId} type="datetime-local" step={1} value={from} onChange={(event) => setFrom(event.target.value)} />
      <label htmlFor={toId}>To</label>
      <input id={toId} type="datetime-local" step={1} value={to} onChange={(event) => setTo(event.target.value)} />
      <button type="submit" disabled={problem !== undefined} title={problem}>
        {submitLabel}
      </button>
    </form>
  );
}
