import { useMemo } from 'react';
import type { Pin } from '../../../protocol/index.js';
import { pinFilter } from '../features/pins/pin-filter.js';
import { PinStrip } from '../features/pins/pin-strip.js';
import { PinsBar } from '../features/pins/pins-bar.js';
import { latestDeploy } from '../lib/api/deploy-log.js';
import { verdictOf } from '../lib/api/verdict-store.js';
import { useStore } from '../lib/store.js';
import { useNow } from '../lib/use-now.js';
import type { Session } from './session.js';

/** How often "12 min ago" and the last deploy are brought up to date. */
const CLOCK_TICK_MS = 10_000;

/**
 * The pins bar, reading the pins, their rates and the deploys itself: rates change every 10 s for
 * every pin, and only the bar (and each pinned pane's strip) should re-render for that, not the panes.
 */
export function PinsBarSlot({ session, canEdit, collapsible = false }: { session: Session; canEdit: boolean; collapsible?: boolean }) {
  const state = useStore(session.pins);
  const rates = useStore(session.rates);
  const { deploys } = useStore(session.deploys);
  const verdicts = useStore(session.verdicts);
  const view = useStore(session.view);
  const now = useNow(CLOCK_TICK_MS);
  const openPinIds = useMemo(() => new Set(view.panes.flatMap((pane) => (pane.pinId === undefined ? [] : [pane.pinId]))), [view.panes]);
  return (
    <PinsBar
      state={state}
      rates={rates}
      deploys={deploys}
      verdicts={verdicts}
      windowMs={session.rates.windowMs}
      openPinIds={openPinIds}
      canEdit={canEdit}
      collapsible={collapsible}
      now={now}
      onOpen={(pin: Pin) => session.view.openPin({ id: pin.id, filter: pinFilter(pin) })}
      onChart={(pin: Pin) => session.openPinChart(pin)}
      onDelete={(pin: Pin) => session.pins.delete(pin)}
      onRetry={() => void session.pins.load()}
    />
  );
}

/** The strip of a pane opened from a pin; nothing until the pin is known (or when it was deleted). */
export function PinStripSlot({ session, pinId }: { session: Session; pinId: string }) {
  const { pins } = useStore(session.pins);
  const rates = useStore(session.rates);
  const { deploys } = useStore(session.deploys);
  const verdicts = useStore(session.verdicts);
  const pin = pins.find((candidate) => candidate.id === pinId);
  if (!pin) return null;
  const current = latestDeploy(deploys, Date.now());
  const verdict = verdictOf(verdicts, current?.id, pin.id);
  return (
    <PinStrip pin={pin} rate={rates.get(pin.id)} deploys={deploys} verdict={verdict && { verdict, deployLabel: current?.label }} windowMs={session.rates.windowMs} />
  );
}
