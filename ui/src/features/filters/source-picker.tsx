import { useState } from 'react';
import { Popover } from '../../components/popover.js';
import { globLiteral } from '../../lib/text/glob.js';
import { formatCount } from '../../lib/text/time-format.js';
import type { SourceOption } from './source-options.js';

/** What a picker picks: a host, a file, or a container log's Kubernetes label. */
type SourceNoun = 'host' | 'file' | 'namespace' | 'pod' | 'container';

/** The example in each picker's glob field. */
const GLOB_EXAMPLE: Record<SourceNoun, string> = {
  host: 'web-*',
  file: '/var/log/**/*.log',
  namespace: 'prod-*',
  pod: 'checkout-*',
  container: 'app',
};

interface SourcePickerProps {
  noun: SourceNoun;
  options: readonly SourceOption[];
  /** How many the hub knows when it listed only some of them (a very large fleet). */
  hubTotal?: number | undefined;
  /** The pane's current globs for this dimension. */
  selected: readonly string[];
  /** Rates are from the last `sources` message; false while disconnected. */
  ratesLive: boolean;
  onChange(globs: string[]): void;
}

/**
 * Picks hosts, files or pod labels from what the connected agents report, with their live line
 * rates, or takes a glob.
 */
export function SourcePicker({ noun, options, hubTotal, selected, ratesLive, onChange }: SourcePickerProps) {
  return (
    <Popover label={buttonLabel(noun, selected)} title={`Limit to some ${noun}s`} className="source-picker">
      {() => <PickerPanel noun={noun} options={options} hubTotal={hubTotal} selected={selected} ratesLive={ratesLive} onChange={onChange} />}
    </Popover>
  );
}

function buttonLabel(noun: string, selected: readonly string[]): string {
  if (selected.length === 0) return `All ${noun}s`;
  if (selected.length === 1) return display(selected[0]!);
  return `${selected.length} ${noun}s`;
}

const display = (glob: string) => globLiteral(glob) ?? glob;

function PickerPanel({ noun, options, hubTotal, selected, ratesLive, onChange }: SourcePickerProps) {
  const [search, setSearch] = useState('');
  const [custom, setCustom] = useState('');
  const chosen = new Set(selected);
  const known = new Set(options.map((option) => option.glob));
  const extra = selected.filter((glob) => !known.has(glob));
  const needle = search.trim().toLowerCase();
  const shown = needle ? options.filter((option) => option.label.toLowerCase().includes(needle)) : options;

  const toggle = (glob: string) => onChange(chosen.has(glob) ? selected.filter((g) => g !== glob) : [...selected, glob]);
  const addCustom = () => {
    const glob = custom.trim();
    if (glob && !chosen.has(glob)) onChange([...selected, glob]);
    setCustom('');
  };

  return (
    <div className="picker">
      {options.length > 8 && (
        <input
          className="picker__search"
          type="search"
          placeholder={`Find a ${noun}`}
          aria-label={`Find a ${noun}`}
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
      )}
      <ul className="picker__list" aria-label={`${noun}s`}>
        {extra.map((glob) => (
          <li key={`glob:${glob}`}>
            <label>
              <input type="checkbox" checked onChange={() => toggle(glob)} />
              <code className="picker__label">{glob}</code>
              <span className="picker__rate">glob</span>
            </label>
          </li>
        ))}
        {shown.map((option) => (
          <li key={option.glob} className={option.connected ? undefined : 'picker__item--offline'}>
            <label title={option.label}>
              <input type="checkbox" checked={chosen.has(option.glob)} onChange={() => toggle(option.glob)} />
              <span className="picker__label">{option.label}</span>
              {option.hosts !== undefined && option.hosts > 1 && <span className="picker__hosts">×{option.hosts}</span>}
              <span className={ratesLive ? 'picker__rate' : 'picker__rate picker__rate--stale'}>
                {option.connected ? `${formatCount(option.linesPerSec)}/s` : 'offline'}
              </span>
            </label>
          </li>
        ))}
        {options.length === 0 && <li className="picker__empty">No agents have reported {noun}s yet.</li>}
      </ul>
      {hubTotal !== undefined && (
        <p className="picker__empty">
          The hub knows {hubTotal} {noun}s and lists the busiest; add a glob for the others.
        </p>
      )}
      <form
        className="picker__custom"
        onSubmit={(event) => {
          event.preventDefault();
          addCustom();
        }}
      >
        <input
          value={custom}
          placeholder={GLOB_EXAMPLE[noun]}
          aria-label={`Add a ${noun} glob`}
          onChange={(event) => setCustom(event.target.value)}
        />
        <button type="submit" disabled={custom.trim() === ''}>
          Add
        </button>
      </form>
      <button type="button" className="picker__all" disabled={selected.length === 0} onClick={() => onChange([])}>
        All {noun}s
      </button>
    </div>
  );
}
