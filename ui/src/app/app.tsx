import { lazy, Suspense, useEffect, useState } from 'react';
// Base styles first, so the features' own rules come after them in the bundle.
import './app.css';
import { CopyFallback } from '../components/copy-fallback.js';
import { ErrorBoundary } from '../components/error-boundary.js';
import { SignInForm } from '../features/auth/sign-in-form.js';
import { ConnectionStatus } from '../features/connection/connection-status.js';
import { ContextPanel } from '../features/context/context-panel.js';
import { TimeControl } from '../features/history/time-control.js';
import { PaneTabs } from '../features/panes/pane-tabs.js';
import { VerdictsContext } from '../features/verdicts/verdicts-context.js';
import { writeClipboard } from '../lib/clipboard.js';
import { useStore } from '../lib/store.js';
import { useNarrow } from '../lib/use-narrow.js';
import { clearToken, loadToken, saveToken } from '../lib/api/token-store.js';
import { PaneView } from './pane-view.js';
import { PinsBarSlot } from './pins-slot.js';
import { ShortcutHelp } from './shortcut-help.js';
import { Session } from './session.js';
import { useShortcuts } from './use-shortcuts.js';
import { useUrlSync } from './use-url-sync.js';

// uPlot and the chart load only when someone opens a chart.
const ChartPanel = lazy(() => import('../features/chart/chart-panel.js'));

export function App({ createSession = Session.fromBrowser }: { createSession?: () => Session }) {
  const [session] = useState(createSession);
  useEffect(() => {
    session.start();
    return () => session.stop();
  }, [session]);
  useUrlSync(session);
  const [helpOpen, setHelpOpen] = useState(false);
  useShortcuts(session, () => setHelpOpen(true));

  const view = useStore(session.view);
  const connection = useStore(session.client.connection);
  const agents = useStore(session.client.sources);
  const sourcesTotal = useStore(session.client.sourcesTotal);
  const statuses = useStore(session.client.subscriptions);
  const notice = useStore(session.client.notice);
  const locator = useStore(session.locator);
  const deploys = useStore(session.deploys).deploys;
  const activeResults = useStore(session.runtime(view.activeId).results);
  const chartOpen = useStore(session.chart).target !== undefined;
  const [linkText, setLinkText] = useState<string | undefined>();
  const [hasToken, setHasToken] = useState(() => loadToken() !== undefined);
  const connected = connection.status === 'live';
  // Hubs with roles say what these credentials may do; without that, try, and explain a refusal.
  const canEdit = connection.status !== 'live' || connection.role !== 'viewer';
  // A phone has room for one pane: the tabs pick which.
  const narrow = useNarrow();
  const visible = view.layout === 'tabs' || narrow ? view.panes.filter((pane) => pane.id === view.activeId) : view.panes;

  const linkFor = (target: { id: string }) => {
    const { search, hash } = session.view.toUrl({ line: target.id, paneId: view.activeId });
    return `${window.location.origin}${window.location.pathname}${search}${hash}`;
  };

  return (
    <VerdictsContext.Provider value={session.verdicts}>
      <div className={narrow ? 'app app--narrow' : 'app'}>
        <main className={`workspace workspace--${view.layout}`}>
          <div className="workspace__panes">
            {visible.map((pane) => (
              <ErrorBoundary key={pane.id} what={`Pane ${view.panes.indexOf(pane) + 1}`}>
                <PaneView
                  session={session}
                  pane={pane}
                  index={view.panes.indexOf(pane)}
                  active={pane.id === view.activeId}
                  canClose={view.panes.length > 1}
                  status={statuses.get(pane.id)}
                  agents={agents}
                  sourcesTotal={sourcesTotal}
                  connected={connected}
                  canEdit={canEdit}
                  highlightId={locator.status !== 'idle' && locator.paneId === pane.id ? locator.id : undefined}
                  narrow={narrow}
                />
              </ErrorBoundary>
            ))}
          </div>
          <ContextPanel
            store={session.context}
            linkFor={linkFor}
            onCopyLink={(url) => {
              void writeClipboard(url).then((copied) => {
                if (!copied) setLinkText(url);
              });
            }}
          />
        </main>
        {/* After the panes in the DOM, shown above them (app.css): Tab goes to the filter first, then the stream, the pins and the top bar. */}
        <PinsBarSlot session={session} canEdit={canEdit} collapsible={narrow} />
        <header className="topbar">
          <span className="topbar__brand">supergrep</span>
          <PaneTabs
            panes={view.panes}
            activeId={view.activeId}
            layout={view.layout}
            canAdd={session.view.canAddPane}
            onSelect={(id) => session.view.setActive(id)}
            onAdd={() => session.view.addPane()}
            onLayout={(layout) => session.view.setLayout(layout)}
          />
          <TimeControl
            current={activeResults.request?.label}
            deploys={deploys}
            onLive={() => session.goLive(view.activeId)}
            onRange={(range) => session.showRange(view.activeId, range)}
            onJump={(at) => session.jumpTo(view.activeId, at)}
          />
          <ConnectionStatus state={connection} onRetry={() => session.client.reconnectNow()} />
          <button type="button" className="topbar__help" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" onClick={() => setHelpOpen(true)}>
            ?
          </button>
          {!canEdit && (
            <span className="topbar__role" title="This sign-in may watch, but not pin filters, delete pins or save captures: that needs an editor token">
              read-only
            </span>
          )}
          {hasToken && connection.status !== 'unauthorized' && (
            <button
              type="button"
              className="topbar__sign-out"
              onClick={() => {
                clearToken();
                setHasToken(false);
                session.client.reconnectNow();
              }}
            >
              Sign out
            </button>
          )}
        </header>
        {notice && (
          <div className="notice" role="alert">
            <span>
              {notice.code}: {notice.message}
            </span>
            <button type="button" onClick={() => session.client.notice.set(undefined)}>
              Dismiss
            </button>
          </div>
        )}
        {connection.status === 'unauthorized' && (
          <SignInForm
            tokenRejected={connection.tokenRejected}
            onSubmit={(token) => {
              saveToken(token);
              setHasToken(true);
              session.client.reconnectNow();
            }}
          />
        )}
        {helpOpen && <ShortcutHelp onClose={() => setHelpOpen(false)} />}
        {linkText !== undefined && <CopyFallback text={linkText} onClose={() => setLinkText(undefined)} />}
        {chartOpen && (
          <ErrorBoundary what="Chart">
            <Suspense fallback={<p className="chart-loading" role="status">Loading the chart…</p>}>
              <ChartPanel chart={session.chart} deploys={deploys} narrow={narrow} onRange={(span, label) => session.showChartSpan(span, label)} />
            </Suspense>
          </ErrorBoundary>
        )}
      </div>
    </VerdictsContext.Provider>
  );
}
