import { useState } from 'react';
import type { Deploy, Pin, Verdict } from '../../../../protocol/index.js';
import { describeApiError } from '../../lib/api/api-client.js';
import { verdictOf, type VerdictsState } from '../../lib/api/verdict-store.js';
import { formatAgo, formatTimeOfDay } from '../../lib/text/time-format.js';
import { lastDeployAt, latestDeploy } from '../../lib/api/deploy-log.js';
import type { PinRateState } from './pin-rates.js';
import type { PinsState } from './pins-store.js';
import { SinceDeployCount } from './since-deploy.js';
import { Sparkline } from './sparkline.js';
import { VerdictBadge } from '../verdicts/verdict-badge.js';
import './pins.css';

interface PinsBarProps {
  state: PinsState;
  rates: ReadonlyMap<string, PinRateState>;
  deploys: readonly Deploy[];
  /** The hub's verdicts: a pin's verdict on the latest deploy replaces its "since last deploy" count. */
  verdicts: VerdictsState;
  windowMs: number;
  /** Pins open in a pane. */
  openPinIds: ReadonlySet<string>;
  /** False when the hub said these credentials may only read: deleting is then refused. */
  canEdit: boolean;
  /** The phone layout: the bar folds into one header line, opened with its title. */
  collapsible?: boolean;
  now: number;
  onOpen(pin: Pin): void;
  /** Opens the pin's chart. */
  onChart(pin: Pin): void;
  onDelete(pin: Pin): Promise<void>;
  onRetry(): void;
}

/** Every pin on the hub with its match-rate graph and its count since the last deploy; click one to watch it. */
export function PinsBar({ state, rates, deploys, verdicts, windowMs, openPinIds, canEdit, collapsible = false, now, onOpen, onChart, onDelete, onRetry }: PinsBarProps) {
  // Not `now` alone, which ticks every 10 s: a deploy that just arrived takes over at once.
  const last = latestDeploy(deploys, Math.max(now, Date.now()));
  const [expanded, setExpanded] = useState(false);
  if (collapsible && !expanded) {
    return (
      <nav className="pins-bar pins-bar--collapsed" aria-label="Pins">
        <button type="button" className="pins-bar__expand" aria-expanded={false} onClick={() => setExpanded(true)}>
          Pins ({state.pins.length}) <span aria-hidden="true">▾</span>
        </button>
        {last && (
          <span className="pins-bar__deploy" title={`Deploy ${last.label} started ${formatTimeOfDay(last.startedAt)}`}>
            Last deploy: <strong>{last.label}</strong> ({formatAgo(Math.max(0, now - last.startedAt))})
          </span>
        )}
      </nav>
    );
  }
  return (
    <nav className={collapsible ? 'pins-bar pins-bar--expanded' : 'pins-bar'} aria-label="Pins">
      {collapsible ? (
        <button type="button" className="pins-bar__expand" aria-expanded={true} onClick={() => setExpanded(false)}>
          Pins ({state.pins.length}) <span aria-hidden="true">▴</span>
        </button>
      ) : (
        <span className="pins-bar__title">Pins</span>
      )}
      {state.status === 'error' && state.pins.length === 0 && (
        <span className="pins-bar__note pins-bar__note--error" role="alert">
          Could not load the pins: {state.error}{' '}
          <button type="button" onClick={onRetry}>
            Retry
          </button>
        </span>
      )}
      {state.status === 'loading' && state.pins.length === 0 && <span className="pins-bar__note">Loading pins…</span>}
      {state.status === 'ready' && state.pins.length === 0 && (
        <span className="pins-bar__note">No pins yet: “Pin” on a pane keeps its filter’s match rate here, for everyone.</span>
      )}
      {state.pins.length > 0 && (
        <ul className="pins-bar__list">
          {state.pins.map((pin) => (
            <PinChip
              key={pin.id}
              pin={pin}
              rate={rates.get(pin.id)}
              deploys={deploys}
              verdict={verdictOf(verdicts, last?.id, pin.id)}
              verdictDeploy={last?.label}
              windowMs={windowMs}
              open={openPinIds.has(pin.id)}
              canEdit={canEdit}
              onOpen={onOpen}
              onChart={onChart}
              onDelete={onDelete}
            />
          ))}
        </ul>
      )}
      {last && (
        <span className="pins-bar__deploy" title={`Deploy ${last.label}${last.by ? ` by ${last.by}` : ''} started ${formatTimeOfDay(last.startedAt)}`}>
          Last deploy: <strong>{last.label}</strong>
          {last.by ? ` by ${last.by}` : ''} · {formatTimeOfDay(last.startedAt)} ({formatAgo(Math.max(0, now - last.startedAt))})
        </span>
      )}
    </nav>
  );
}

interface PinChipProps {
  pin: Pin;
  rate: PinRateState | undefined;
  deploys: readonly Deploy[];
  verdict: Verdict | undefined;
  verdictDeploy: string | undefined;
  windowMs: number;
  open: boolean;
  canEdit: boolean;
  onOpen(pin: Pin): void;
  onChart(pin: Pin): void;
  onDelete(pin: Pin): Promise<void>;
}

function PinChip({ pin, rate, deploys, verdict, verdictDeploy, windowMs, open, canEdit, onOpen, onChart, onDelete }: PinChipProps) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const series = rate?.series;
  const deploy = series ? lastDeployAt(deploys, series.countedTo) : undefined;
  const countingSince = pin.countedFrom ?? pin.createdAt;
  const loadingHistory = pin.backfilling === true;

  if (confirming) {
    return (
      <li className="pin-chip pin-chip--confirm" data-pin-id={pin.id}>
        <span role="alert">Delete the pin “{pin.name}” for everyone?</span>
        <button
          type="button"
          className="pin-chip__confirm-delete"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            setError(undefined);
            onDelete(pin).then(
              // On success the chip goes away with the pin.
              () => setBusy(false),
              (failure: unknown) => {
                setBusy(false);
                setError(describeApiError(failure, 'delete this pin'));
              },
            );
          }}
        >
          Delete
        </button>
        <button type="button" disabled={busy} onClick={() => (setConfirming(false), setError(undefined))}>
          Cancel
        </button>
        {error && <span className="pin-chip__error">{error}</span>}
      </li>
    );
  }

  return (
    <li className={open ? 'pin-chip pin-chip--open' : 'pin-chip'} data-pin-id={pin.id}>
      <button type="button" className="pin-chip__open" aria-pressed={open} title={`Watch “${pin.query}” in a pane`} onClick={() => onOpen(pin)}>
        <span className="pin-chip__name">{pin.name}</span>
        <Sparkline series={series} deploys={deploys} width={96} height={22} windowMs={windowMs} label={pin.name} countingSince={countingSince} loadingHistory={loadingHistory} />
        {verdict ? (
          <VerdictBadge verdict={verdict} deployLabel={verdictDeploy} />
        ) : (
          <SinceDeployCount series={series} deploy={deploy} countingSince={countingSince} loadingHistory={loadingHistory} />
        )}
        {rate?.error && (
          <span className="pin-chip__stale" title={`Could not refresh the counts: ${rate.error}`}>
            ⚠
          </span>
        )}
      </button>
      <button type="button" className="pin-chip__chart" aria-label={`Chart of pin ${pin.name}`} title="Open this pin's match-rate chart" onClick={() => onChart(pin)}>
        <ChartIcon />
      </button>
      <button
        type="button"
        className="pin-chip__delete"
        aria-label={`Delete pin ${pin.name}`}
        disabled={!canEdit}
        title={canEdit ? 'Delete this pin for everyone' : 'Your sign-in may view but not change pins'}
        onClick={() => setConfirming(true)}
      >
        ✕
      </button>
    </li>
  );
}

/** Three bars: the chart button's icon. */
function ChartIcon() {
  return (
    <svg width="14" height="12" viewBox="0 0 14 12" aria-hidden="true" focusable="false">
      <rect x="1" y="6" width="3" height="6" fill="currentColor" />
      <rect x="5.5" y="2" width="3" height="10" fill="currentColor" />
      <rect x="10" y="4" width="3" height="8" fill="currentColor" />
    </svg>
  );
}
