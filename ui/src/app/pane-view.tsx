import { useCallback, useEffect, useMemo, useState, type MouseEvent } from 'react';
import type { SourceAgent, SourcesTotal } from '../../../protocol/index.js';
import { CopyFallback } from '../components/copy-fallback.js';
import { CaptureForm } from '../features/captures/capture-form.js';
import { capturePermalink, MAX_CAPTURE_LINES, toCaptureLines } from '../features/captures/capture-lines.js';
import { CaptureSaved } from '../features/captures/capture-saved.js';
import { FilterBar } from '../features/filters/filter-bar.js';
import { OlderLinesNotice } from '../features/history/older-lines-notice.js';
import { ResultsView } from '../features/history/results-view.js';
import { paneTitle } from '../features/panes/pane-tabs.js';
import type { PaneState } from '../features/panes/view-store.js';
import { PermalinkBanner } from '../features/permalink/permalink-banner.js';
import { PinForm } from '../features/pins/pin-form.js';
import { formatMarkdown, formatPlain } from '../features/selection/copy-format.js';
import { SelectionBar } from '../features/selection/selection-bar.js';
import type { SelectMode } from '../features/selection/selection-store.js';
import { StreamPane } from '../features/stream/stream-pane.js';
import { writeClipboard } from '../lib/clipboard.js';
import { useStore } from '../lib/store.js';
import type { LineEntry } from '../lib/hub/stream-entry.js';
import type { SubscriptionStatus } from '../lib/hub/subscription-registry.js';
import { PinStripSlot } from './pins-slot.js';
import type { Session } from './session.js';
import { usePaneKeys } from './use-pane-keys.js';

interface PaneViewProps {
  session: Session;
  pane: PaneState;
  index: number;
  active: boolean;
  canClose: boolean;
  status: SubscriptionStatus | undefined;
  agents: readonly SourceAgent[];
  /** How many agents and files the hub knows, when it listed only some. */
  sourcesTotal?: SourcesTotal | undefined;
  /** The hub connection is up. */
  connected: boolean;
  /** False when the hub said these credentials may only read (pinning and saving are then refused). */
  canEdit: boolean;
  highlightId: string | undefined;
  /** The phone layout (useNarrow). */
  narrow?: boolean;
}

const READ_ONLY = 'Your sign-in may view but not change anything on this hub: that needs an editor token';

/** One pane: its filter, its stream, its selection. Composes the features for that pane. */
export function PaneView({ session, pane, index, active, canClose, status, agents, sourcesTotal, connected, canEdit, highlightId, narrow = false }: PaneViewProps) {
  const { stream, selection, older, results } = session.runtime(pane.id);
  const selected = useStore(selection);
  const shown = useStore(results);
  const searching = shown.request !== undefined;
  const [capturingResults, setCapturingResults] = useState(false);
  const loadOlder = useCallback(() => {
    if (older.getSnapshot().status === 'idle') void older.load();
  }, [older]);
  const locator = useStore(session.locator);
  const view = useStore(stream);
  const [feedback, setFeedback] = useState<string | undefined>();
  const [fallbackText, setFallbackText] = useState<string | undefined>();
  const [pinning, setPinning] = useState(false);
  const [capturing, setCapturing] = useState(false);
  const [saved, setSaved] = useState<{ title: string; url: string } | undefined>();
  const [cursorId, setCursorId] = useState<string | undefined>();
  // The time of a permalinked line the hub found (from its context answer, kept after the context
  // is closed: on a phone the context covers the banner): where to look in history.
  const linkedTime = locator.status === 'outside-stream' ? locator.time : undefined;

  useEffect(() => {
    setFeedback(undefined);
    if (selected.ids.size === 0) setCapturing(false);
    // Selecting lines froze the pane (a line cannot be picked while it scrolls away); unselecting resumes it.
    if (selected.ids.size === 0 && stream.getSnapshot().paused === 'select') stream.resume();
  }, [selected, stream]);

  const onLineClick = useCallback(
    (entry: LineEntry, _seq: number, event: MouseEvent) => {
      session.view.setActive(pane.id);
      const mode: SelectMode = event.shiftKey ? 'range' : event.metaKey || event.ctrlKey ? 'toggle' : 'single';
      // A plain click that ends a text selection inside the row is the user copying text, not picking lines.
      const text = window.getSelection();
      if (mode === 'single' && text && !text.isCollapsed && event.currentTarget.contains(text.anchorNode)) return;
      selection.click(entry.line.id, mode, (from, to) => stream.lineIdsBetween(from, to));
      setCursorId(entry.line.id);
      if (stream.getSnapshot().paused === null) stream.pause('select');
      if (mode === 'single') session.context.open(entry.line);
    },
    [session, pane.id, selection, stream],
  );

  // Recounted as the bound trims: the bar says when selected lines fell out of the buffer.
  // eslint-disable-next-line react-hooks/exhaustive-deps -- view.start is not read but is when the stream's lines change
  const missing = useMemo(() => (selected.ids.size === 0 ? 0 : stream.linesByIds(selected.ids).missing), [selected, stream, view.start]);

  const copy = async (format: 'markdown' | 'text') => {
    const { lines } = stream.linesByIds(selected.ids);
    const text =
      format === 'markdown'
        ? formatMarkdown(lines, pane.filter, { deploys: [...session.deploys.getSnapshot().deploys, ...stream.deploys()], viewUrl: window.location.href })
        : formatPlain(lines);
    if (await writeClipboard(text)) setFeedback(`Copied ${lines.length.toLocaleString()} ${lines.length === 1 ? 'line' : 'lines'}`);
    else setFallbackText(text);
  };

  usePaneKeys(active, {
    stream,
    selection,
    cursorId,
    setCursor: setCursorId,
    openContext: (line) => session.context.open(line),
    copyMarkdown: () => void copy('markdown'),
    saveCapture: () => {
      if (canEdit) setCapturing(true);
    },
    toggleRow: (action) => {
      const toggle = document.querySelector(`section[data-pane-id="${CSS.escape(pane.id)}"] .log-row--cursor .row-action[data-action="${action}"]`);
      if (!(toggle instanceof HTMLElement)) return false;
      toggle.click();
      return true;
    },
  });

  const createPin = async (name: string) => {
    const { filter } = pane;
    const pin = await session.pins.create({ name, ...filter });
    session.view.linkPin(pane.id, pin.id, filter);
  };

  const saveCapture = async (title: string) => {
    const { lines } = stream.linesByIds(selected.ids);
    const created = await session.api.createCapture({ title, filter: pane.filter, lines: toCaptureLines(lines) });
    setCapturing(false);
    setSaved({ title, url: capturePermalink(window.location.origin, created.url) });
  };

  // A capture of history results records the range searched and the query.
  const saveResultsCapture = async (title: string) => {
    const { request, lines, count } = results.getSnapshot();
    if (!request) return;
    const created = await session.api.createCapture({
      title,
      filter: request.filter,
      range: { from: request.from, to: request.to },
      lines: toCaptureLines(lines.slice(0, Math.min(count, MAX_CAPTURE_LINES))),
    });
    setCapturingResults(false);
    setSaved({ title, url: capturePermalink(window.location.origin, created.url) });
  };

  const copyLink = async (url: string) => {
    if (await writeClipboard(url)) return true;
    setFallbackText(url);
    return false;
  };

  const emptyHint =
    status?.state === 'error'
      ? 'Fix the pattern to see lines.'
      : status?.state === 'pending'
        ? 'Subscribing…'
        : pane.filter.query === ''
          ? 'Waiting for lines from the agents…'
          : 'No matching lines yet. Lines appear here as soon as they match.';

  return (
    <section
      className={active ? 'pane pane--active' : 'pane'}
      data-pane-id={pane.id}
      data-subscription={status?.state}
      aria-label={`Pane ${index + 1}: ${paneTitle(pane.filter)}`}
      onFocusCapture={() => session.view.setActive(pane.id)}
      onPointerDownCapture={() => session.view.setActive(pane.id)}
    >
      <header className="pane__header">
        <span className="pane__number" title={`Pane ${index + 1}`}>
          {index + 1}
        </span>
        <FilterBar
          paneId={pane.id}
          filter={pane.filter}
          status={status}
          agents={agents}
          sourcesTotal={sourcesTotal}
          ratesLive={connected}
          compact={narrow}
          onChange={(filter) => session.view.setFilter(pane.id, filter)}
        />
        {pane.pinId === undefined && (
          <button
            type="button"
            className="pane__pin"
            aria-expanded={pinning}
            disabled={!canEdit}
            title={canEdit ? 'Pin this filter: everyone sees its match rate in the pins bar' : READ_ONLY}
            onClick={() => setPinning((open) => !open)}
          >
            Pin
          </button>
        )}
        <button
          type="button"
          className="pane__chart"
          disabled={pane.filter.query === ''}
          title={pane.filter.query === '' ? 'Type a pattern to chart its matches' : 'Chart the matches of this filter over time, from history'}
          onClick={() => {
            // A pinned pane charts its pin's counts (live, with no history scan); any other, its filter from history.
            const pin = pane.pinId === undefined ? undefined : session.pins.find(pane.pinId);
            if (pin) session.openPinChart(pin);
            else session.openPaneChart(pane.id, paneTitle(pane.filter));
          }}
        >
          Chart
        </button>
        {canClose && (
          <button type="button" className="pane__close" onClick={() => session.view.closePane(pane.id)} aria-label={`Close pane ${index + 1}`}>
            ✕
          </button>
        )}
      </header>
      {pane.pinId !== undefined ? (
        <PinStripSlot session={session} pinId={pane.pinId} />
      ) : (
        pinning && <PinForm suggestedName={paneTitle(pane.filter)} onCreate={createPin} onClose={() => setPinning(false)} />
      )}
      {locator.status !== 'idle' && locator.paneId === pane.id && (
        <PermalinkBanner state={locator} onDismiss={() => session.dismissPermalink()} onShowInHistory={linkedTime === undefined ? undefined : () => session.jumpTo(pane.id, linkedTime)} />
      )}
      {searching ? (
        <ResultsView
          results={results}
          title={paneTitle(pane.filter)}
          highlightId={highlightId}
          onLineClick={(line) => {
            session.view.setActive(pane.id);
            session.context.open(line);
          }}
          onCapture={canEdit ? () => setCapturingResults((open) => !open) : undefined}
          onOrder={(order) => session.setResultsOrder(pane.id, order)}
          onLive={() => session.goLive(pane.id)}
          narrow={narrow}
        />
      ) : (
        <StreamPane
          stream={stream}
          label={`Matches for ${paneTitle(pane.filter)}`}
          selectedIds={selected.ids}
          highlightId={highlightId}
          cursorId={cursorId}
          onLineClick={onLineClick}
          emptyHint={emptyHint}
          connected={connected}
          narrow={narrow}
          onReachTop={loadOlder}
          topNotice={<OlderLinesNotice older={older} paused={view.paused !== null} empty={view.end === view.start} />}
        />
      )}
      {searching && capturingResults && (
        <CaptureForm lineCount={Math.min(shown.count, MAX_CAPTURE_LINES)} onSave={saveResultsCapture} onClose={() => setCapturingResults(false)} />
      )}
      {!searching && capturing && selected.ids.size > 0 && (
        <CaptureForm lineCount={selected.ids.size - missing} onSave={saveCapture} onClose={() => setCapturing(false)} />
      )}
      {!searching && selected.ids.size > 0 && (
        <SelectionBar
          count={selected.ids.size - missing}
          missing={missing}
          feedback={feedback}
          onCopyMarkdown={() => void copy('markdown')}
          onCopyText={() => void copy('text')}
          onClear={() => {
            selection.clear();
            setFeedback(undefined);
          }}
        >
          <button
            type="button"
            aria-expanded={capturing}
            disabled={!canEdit || selected.ids.size - missing === 0}
            title={canEdit ? 'Save the selected lines with a permalink for the incident channel or the post-mortem' : READ_ONLY}
            onClick={() => setCapturing((open) => !open)}
          >
            Save capture
          </button>
        </SelectionBar>
      )}
      {saved && <CaptureSaved title={saved.title} url={saved.url} onCopy={copyLink} onDismiss={() => setSaved(undefined)} />}
      {fallbackText !== undefined && <CopyFallback text={fallbackText} onClose={() => setFallbackText(undefined)} />}
    </section>
  );
}
