import { useId, useState } from 'react';
import type { Deploy } from '../../../../protocol/index.js';
import { Popover } from '../../components/popover.js';
import { formatTimeOfDay } from '../../lib/text/time-format.js';
import { formatLocalInput, LAST_PRESETS, parseLocalInput, resolveRange, type TimeChoice, type TimeRange } from './time-range.js';
import { RangeForm } from './range-form.js';
import './history.css';

interface TimeControlProps {
  /** What the active pane shows: undefined when live, else the results' label. */
  current: string | undefined;
  /** Deploys the UI knows of, oldest first. */
  deploys: readonly Deploy[];
  onLive(): void;
  onRange(range: TimeRange): void;
  onJump(at: number): void;
  now?: () => number;
}

/**
 * The toolbar's time control for the active pane: Live (the default), the last 15 min, 1 h or 24 h,
 * around a deploy, a custom range, or "Jump to time". Anything but Live shows history results.
 */
export function TimeControl({ current, deploys, onLive, onRange, onJump, now = Date.now }: TimeControlProps) {
  const pick = (choice: TimeChoice, close: () => void) => {
    onRange(resolveRange(choice, now()));
    close();
  };
  return (
    <Popover
      className="time-control"
      label={<span className="time-control__label">{current ?? 'Live'} ▾</span>}
      title="Live, or search history over a time range"
    >
      {(close) => (
        <div className="time-control__panel" role="group" aria-label="Time range">
          <button type="button" aria-pressed={current === undefined} onClick={() => (onLive(), close())}>
            Live
          </button>
          {LAST_PRESETS.map((preset) => (
            <button key={preset.ms} type="button" onClick={() => pick({ kind: 'last', ms: preset.ms }, close)}>
              {preset.label}
            </button>
          ))}
          <DeployPicker deploys={deploys} onPick={(deploy) => pick({ kind: 'deploy', deploy }, close)} />
          <CustomRange now={now} onPick={(from, to) => pick({ kind: 'custom', from, to }, close)} />
          <JumpToTime now={now} onJump={(at) => (onJump(at), close())} />
        </div>
      )}
    </Popover>
  );
}

function DeployPicker({ deploys, onPick }: { deploys: readonly Deploy[]; onPick(deploy: Deploy): void }) {
  const id = useId();
  if (deploys.length === 0) return <p className="time-control__hint">No deploys in the last 24 h to search around.</p>;
  const newestFirst = [...deploys].reverse();
  return (
    <div className="time-control__row">
      <label htmlFor={id}>Around deploy</label>
      <select
        id={id}
        value=""
        onChange={(event) => {
          const deploy = deploys.find((candidate) => candidate.id === event.target.value);
          if (deploy) onPick(deploy);
        }}
      >
        <option value="" disabled>
          Pick a deploy…
        </option>
        {newestFirst.map((deploy) => (
          <option key={deploy.id} value={deploy.id}>
            {deploy.label} · {formatTimeOfDay(deploy.startedAt)}
          </option>
        ))}
      </select>
    </div>
  );
}

function CustomRange({ now, onPick }: { now: () => number; onPick(from: number, to: number): void }) {
  return (
    <RangeForm
      initialFrom={now() - 60 * 60_000}
      initialTo={now()}
      ariaLabel="Custom range"
      className="time-control__form"
      submitLabel="Search range"
      allowEmpty
      onPick={onPick}
    />
  );
}

function JumpToTime({ now, onJump }: { now: () => number; onJump(at: number): void }) {
  const [at, setAt] = useState(() => formatLocalInput(now() - 10 * 60_000));
  const id = useId();
  const time = parseLocalInput(at);
  return (
    <form
      className="time-control__form"
      aria-label="Jump to time"
      onSubmit={(event) => {
        event.preventDefault();
        if (time !== undefined) onJump(time);
      }}
    >
      <label htmlFor={id}>Jump to</label>
      <input id={id} type="datetime-local" step={1} value={at} onChange={(event) => setAt(event.target.value)} />
      <button type="submit" disabled={time === undefined}>
        Jump
      </button>
    </form>
  );
}
