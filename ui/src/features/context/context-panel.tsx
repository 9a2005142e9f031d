import { useEffect, useRef, type Ref } from 'react';
import { LineText } from '../../components/line-text.js';
import { analyzeLine } from '../../lib/text/line-analysis.js';
import { useStore } from '../../lib/store.js';
import { formatClock, lineTime, lineTimeTitle, RECEIVED_MARK } from '../../lib/text/time-format.js';
import type { LogLine } from '../../../../protocol/index.js';
import type { ContextStore, ContextTarget } from './context-store.js';
import './context.css';

interface ContextPanelProps {
  store: ContextStore;
  /** A URL that opens this view scrolled to the line. */
  linkFor(target: ContextTarget): string;
  onCopyLink(url: string): void;
}

/** Lines before and after a clicked line in the same file, whatever the pane's filter. */
export function ContextPanel({ store, linkFor, onCopyLink }: ContextPanelProps) {
  const state = useStore(store);
  const targetRow = useRef<HTMLLIElement>(null);
  const loadedLines = state.status === 'loaded' ? state.lines : undefined;

  useEffect(() => {
    targetRow.current?.scrollIntoView({ block: 'center' });
  }, [loadedLines]);

  if (state.status === 'closed') return null;
  const { target } = state;

  return (
    <aside className="context-panel" aria-label="Line context">
      <header className="context-panel__header">
        <div className="context-panel__title">
          <strong>Context</strong>
          {target.host !== undefined && (
            <span title={target.file}>
              {target.host} · {target.file}
            </span>
          )}
        </div>
        <button type="button" onClick={() => onCopyLink(linkFor(target))} title="Copy a link that opens this view at this line">
          Copy link
        </button>
        <button type="button" onClick={() => store.close()} aria-label="Close context">
          ✕
        </button>
      </header>
      {state.status === 'loading' && <p className="context-panel__note">Loading {state.before + state.after} lines around it…</p>}
      {state.status === 'missing' && <p className="context-panel__note">This line is no longer in the hub's backlog, so its context is gone.</p>}
      {state.status === 'error' && (
        <p className="context-panel__note context-panel__note--error" role="alert">
          Could not load the context: {state.message}
        </p>
      )}
      {state.status === 'loaded' && (
        <>
          {/* Focusable, so the keyboard can scroll it. */}
          <ol className="context-panel__lines" tabIndex={0} aria-label="Lines before and after it">
            {state.lines.map((line) => (
              <ContextLine key={line.id} line={line} isTarget={line.id === target.id} rowRef={line.id === target.id ? targetRow : undefined} />
            ))}
          </ol>
          {store.canLoadMore() && (
            <button type="button" className="context-panel__more" onClick={() => store.more()}>
              Show more lines
            </button>
          )}
        </>
      )}
    </aside>
  );
}

function ContextLine({ line, isTarget, rowRef }: { line: LogLine; isTarget: boolean; rowRef: Ref<HTMLLIElement> | undefined }) {
  const analysis = analyzeLine(line, line.line);
  const time = lineTime(line);
  return (
    <li ref={rowRef} className={isTarget ? 'context-line context-line--target' : 'context-line'} data-level={analysis.level} aria-current={isTarget || undefined}>
      <time className="context-line__time" title={lineTimeTitle(line)}>
        {time.received ? RECEIVED_MARK : ''}
        {formatClock(time.ts)}
      </time>
      <span className="context-line__text">
        <LineText text={line.line} spans={analysis.spans} />
      </span>
    </li>
  );
}
