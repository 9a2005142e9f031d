import { useMemo, useRef, useState } from 'react';
import { podLabelsOf, type FilterSpec, type SourceAgent, type SourcesTotal } from '../../../../protocol/index.js';
import type { SubscriptionStatus } from '../../lib/hub/subscription-registry.js';
import { SourcePicker } from './source-picker.js';
import { fileOptions, hostOptions, POD_FILTER_FIELD, podOptions, type PodLabelKey } from './source-options.js';
import { useDebounced } from './use-debounced.js';
import './filters.css';

/** Typing re-subscribes after this much quiet: fast enough to feel live, slow enough not to flood the hub. */
export const TYPING_DEBOUNCE_MS = 150;

interface FilterBarProps {
  paneId: string;
  filter: FilterSpec;
  status: SubscriptionStatus | undefined;
  agents: readonly SourceAgent[];
  /** How many agents and files the hub knows, when it listed only some. */
  sourcesTotal?: SourcesTotal | undefined;
  ratesLive: boolean;
  /** The phone layout: only the pattern shows, the other fields open with "Options". */
  compact?: boolean;
  onChange(filter: FilterSpec): void;
}

/** The pod label pickers, outermost first. */
const POD_LABELS: readonly PodLabelKey[] = ['namespace', 'pod', 'container'];

/**
 * The pane's filter: RE2 pattern, case toggle, exclude pattern, host and file pickers (and
 * namespace, pod and container pickers once an agent reports container logs, or the filter has
 * them), and the hub's verdict.
 */
export function FilterBar({ paneId, filter, status, agents, sourcesTotal, ratesLive, compact = false, onChange }: FilterBarProps) {
  const [optionsOpen, setOptionsOpen] = useState(false);
  const podScoped = POD_LABELS.some((key) => (filter[POD_FILTER_FIELD[key]]?.length ?? 0) > 0);
  const narrowed =
    (filter.exclude ? 1 : 0) + (filter.hosts?.length ? 1 : 0) + (filter.files?.length ? 1 : 0) + POD_LABELS.filter((key) => filter[POD_FILTER_FIELD[key]]?.length).length;
  // Pod pickers are noise on a fleet without containers: shown once some source is a container log.
  const containerLogs = useMemo(() => agents.some((agent) => agent.files.some((file) => podLabelsOf(file.path) !== undefined)), [agents]);
  const latest = useRef(filter);
  latest.current = filter;
  const commit = (change: Partial<FilterSpec>) => onChange({ ...latest.current, ...change });

  const query = useDebouncedField(filter.query, (query) => commit({ query }));
  const exclude = useDebouncedField(filter.exclude ?? '', (exclude) => commit({ exclude }));
  const error = status?.state === 'error' ? status.message : undefined;
  const errorId = `filter-error-${paneId}`;

  return (
    <div className="filter-bar">
      <div className="filter-bar__row">
        <input
          id={`filter-${paneId}`}
          className="filter-bar__query"
          name="query"
          type="text"
          spellCheck={false}
          autoComplete="off"
          placeholder="RE2 pattern, e.g. status=5\d\d (empty shows every line)"
          aria-label="Filter pattern"
          aria-invalid={error !== undefined}
          aria-describedby={error ? errorId : undefined}
          value={query.value}
          onChange={(event) => query.change(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter') query.flush();
          }}
          onBlur={query.flush}
        />
        <button
          type="button"
          className="filter-bar__toggle"
          aria-pressed={filter.caseInsensitive === true}
          title={filter.caseInsensitive ? 'Case-insensitive (click for case-sensitive)' : 'Case-sensitive (click to ignore case)'}
          onClick={() => commit({ caseInsensitive: !filter.caseInsensitive })}
        >
          {filter.caseInsensitive ? 'aA' : 'Aa'}
        </button>
        {compact && (
          <button
            type="button"
            className="filter-bar__options"
            aria-expanded={optionsOpen}
            aria-controls={`filter-options-${paneId}`}
            title="Exclude pattern, hosts, files and pods"
            onClick={() => setOptionsOpen((open) => !open)}
          >
            Options{narrowed > 0 ? ` (${narrowed})` : ''}
          </button>
        )}
        <span className="filter-bar__state" aria-live="polite">
          {status?.state === 'pending' ? 'subscribing…' : ''}
        </span>
      </div>
      <div className="filter-bar__row filter-bar__row--options" id={`filter-options-${paneId}`} hidden={compact && !optionsOpen}>
        <input
          className="filter-bar__exclude"
          name="exclude"
          type="text"
          spellCheck={false}
          autoComplete="off"
          placeholder="exclude pattern"
          aria-label="Exclude pattern"
          value={exclude.value}
          onChange={(event) => exclude.change(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter') exclude.flush();
          }}
          onBlur={exclude.flush}
        />
        <SourcePicker noun="host" options={hostOptions(agents)} hubTotal={sourcesTotal?.agents} selected={filter.hosts ?? []} ratesLive={ratesLive} onChange={(hosts) => commit({ hosts })} />
        <SourcePicker
          noun="file"
          options={fileOptions(agents, filter.hosts)}
          hubTotal={sourcesTotal?.files}
          selected={filter.files ?? []}
          ratesLive={ratesLive}
          onChange={(files) => commit({ files })}
        />
        {(containerLogs || podScoped) &&
          POD_LABELS.map((key) => (
            <SourcePicker
              key={key}
              noun={key}
              options={podOptions(agents, filter, key)}
              selected={filter[POD_FILTER_FIELD[key]] ?? []}
              ratesLive={ratesLive}
              onChange={(globs) => commit({ [POD_FILTER_FIELD[key]]: globs })}
            />
          ))}
      </div>
      {error !== undefined && (
        <p className="filter-bar__error" id={errorId} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * A text field that commits after a pause in typing. Its local value follows the committed value
 * only when that changes from elsewhere: neither a re-render before our commit has come back, nor
 * our own older debounced commit arriving while the user kept typing, may overwrite what is typed.
 */
function useDebouncedField(committed: string, commit: (value: string) => void) {
  const [value, setValue] = useState(committed);
  const seen = useRef(committed);
  const sent = useRef<string | undefined>(undefined);
  if (committed !== seen.current) {
    seen.current = committed;
    if (committed !== sent.current && committed !== value) setValue(committed);
  }
  const debounced = useDebounced((next: string) => {
    sent.current = next;
    commit(next);
  }, TYPING_DEBOUNCE_MS);
  return {
    value,
    change(next: string) {
      setValue(next);
      debounced.call(next);
    },
    flush: debounced.flush,
  };
}
