import { memo, useMemo, useState } from 'react';
import { captureMarkdown, deployDivider, deploysWithin, type Capture, type CaptureLine, type Deploy, type FilterSpec } from '../../../../protocol/index.js';
import { CopyFallback } from '../../components/copy-fallback.js';
import { LineText } from '../../components/line-text.js';
import { analyzeLine } from '../../lib/text/line-analysis.js';
import { sourceLabel } from '../../lib/text/source-label.js';
import { formatIso, formatUtcClock, lineTime, lineTimeTitle, RECEIVED_MARK } from '../../lib/text/time-format.js';
import './captures.css';

interface CapturePageProps {
  capture: Capture;
  /** This page's address, to copy. */
  permalink: string;
  /** The live view with the capture's filter, or undefined when it had none. */
  liveUrl: string | undefined;
  /** Resolves false when the page may not write to the clipboard. */
  copyText(text: string): Promise<boolean>;
  /** Offers text as a file download. */
  download(text: string, fileName: string): void;
}

/**
 * A saved capture, read-only: what it is, who saved it and when, the filter, the time range, and
 * the lines with their host, file and time. No live stream. Lines are text nodes, never HTML.
 */
export function CapturePage({ capture, permalink, liveUrl, copyText, download }: CapturePageProps) {
  const [feedback, setFeedback] = useState<{ text: string; error: boolean } | undefined>();
  const [fallback, setFallback] = useState<{ text: string; label: string } | undefined>();
  const range = timeRange(capture.lines);
  // The shared format of saved lines (the hub's /api/captures/:id.md is the same text), with this page's address.
  const markdown = () => captureMarkdown(capture, permalink);
  const rows = useMemo(() => captureRows(capture), [capture]);

  const copy = async (text: string, label: string, done: string) => {
    if (await copyText(text)) setFeedback({ text: done, error: false });
    else setFallback({ text, label });
  };

  return (
    <article className="capture" aria-labelledby="capture-title">
      <header className="capture__header">
        <p className="capture__kind">Capture · read-only</p>
        <h1 id="capture-title" className="capture__title">
          {capture.title}
        </h1>
        <dl className="capture__meta">
          <dt>Saved</dt>
          <dd>
            {capture.createdBy ? `by ${capture.createdBy}, ` : ''}
            <time dateTime={formatIso(capture.createdAt)}>{formatUtc(capture.createdAt)}</time>
          </dd>
          <dt>Filter</dt>
          <dd>{capture.filter ? <FilterDescription filter={capture.filter} /> : <span className="capture__muted">none recorded</span>}</dd>
          {capture.range && (
            <>
              <dt>Searched</dt>
              <dd className="capture__range">
                <time dateTime={formatIso(capture.range.from)}>{formatUtc(capture.range.from)}</time> to{' '}
                <time dateTime={formatIso(capture.range.to)}>{formatUtc(capture.range.to)}</time>
              </dd>
            </>
          )}
          <dt>Lines</dt>
          <dd>
            {capture.lines.length.toLocaleString()} {capture.lines.length === 1 ? 'line' : 'lines'}
            {range && (
              <>
                , <time dateTime={formatIso(range.first)}>{formatUtc(range.first)}</time> to{' '}
                <time dateTime={formatIso(range.last)}>{formatUtc(range.last)}</time>
              </>
            )}
          </dd>
          {capture.deploys && capture.deploys.length > 0 && (
            <>
              <dt>Deploys</dt>
              <dd>
                {capture.deploys.length} during these lines, shown as dividers
              </dd>
            </>
          )}
        </dl>
        <div className="capture__actions">
          <button type="button" onClick={() => void copy(markdown(), 'Copy the capture as Markdown', 'Copied as Markdown')}>
            Copy as Markdown
          </button>
          <button type="button" onClick={() => download(markdown(), `capture-${capture.id}.md`)}>
            Download .md
          </button>
          <button type="button" onClick={() => void copy(permalink, 'Copy the link to this capture', 'Link copied')}>
            Copy link
          </button>
          {liveUrl && (
            <a className="capture__live" href={liveUrl}>
              Watch this filter live
            </a>
          )}
          <span className={feedback?.error ? 'capture__feedback capture__feedback--error' : 'capture__feedback'} role="status">
            {feedback?.text}
          </span>
        </div>
      </header>
      <table className="capture__lines">
        <colgroup>
          <col className="capture__col-time" />
          <col className="capture__col-host" />
          <col className="capture__col-file" />
          <col />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">time (UTC)</th>
            <th scope="col">host</th>
            <th scope="col">file</th>
            <th scope="col">line</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) =>
            'deploy' in row ? (
              <tr key={`deploy ${row.deploy.id}`} className="capture-deploy" data-deploy-id={row.deploy.id}>
                <td colSpan={4}>{deployDivider(row.deploy)}</td>
              </tr>
            ) : (
              <CaptureRow key={row.index} line={row.line} index={row.index} />
            ),
          )}
        </tbody>
      </table>
      {fallback && <CopyFallback text={fallback.text} label={fallback.label} onClose={() => setFallback(undefined)} />}
    </article>
  );
}

/** The capture's lines with its deploys as dividers before the first line received at or after each start. */
function captureRows(capture: Capture): Array<{ line: CaptureLine; index: number } | { deploy: Deploy }> {
  const deploys = deploysWithin(capture.lines, capture.deploys ?? []);
  const rows: Array<{ line: CaptureLine; index: number } | { deploy: Deploy }> = [];
  let next = 0;
  capture.lines.forEach((line, index) => {
    while (next < deploys.length && deploys[next]!.startedAt <= line.ts) rows.push({ deploy: deploys[next++]! });
    rows.push({ line, index });
  });
  return rows;
}

/** One captured line; `#L<n>` (n from 1) is its anchor, the permalink the Markdown lists. */
const CaptureRow = memo(function CaptureRow({ line, index }: { line: CaptureLine; index: number }) {
  const analysis = analyzeLine(line, line.line);
  const source = sourceLabel(line.file);
  const time = lineTime(line);
  return (
    <tr className="capture-line" id={`L${index + 1}`} data-level={analysis.level}>
      <td className="capture-line__time">
        <time dateTime={formatIso(time.ts)} title={lineTimeTitle(line)}>
          {time.received ? RECEIVED_MARK : ''}
          {formatUtcClock(time.ts)}
        </time>
      </td>
      <td className="capture-line__host">{line.host}</td>
      <td className="capture-line__file" title={source.title}>
        {source.text}
      </td>
      <td className="capture-line__text">
        <LineText text={line.line} spans={analysis.spans} />
      </td>
    </tr>
  );
});

function FilterDescription({ filter }: { filter: FilterSpec }) {
  return (
    <span className="capture__filter">
      <code>{filter.query === '' ? '(every line)' : filter.query}</code>
      {filter.exclude && (
        <>
          {' '}
          excluding <code>{filter.exclude}</code>
        </>
      )}
      {filter.caseInsensitive && ' · case-insensitive'}
      {filter.hosts?.length ? ` · hosts ${filter.hosts.join(', ')}` : ''}
      {filter.files?.length ? ` · files ${filter.files.join(', ')}` : ''}
      {filter.namespaces?.length ? ` · namespaces ${filter.namespaces.join(', ')}` : ''}
      {filter.pods?.length ? ` · pods ${filter.pods.join(', ')}` : ''}
      {filter.containers?.length ? ` · containers ${filter.containers.join(', ')}` : ''}
    </span>
  );
}

/** `2024-05-01 12:00:03 UTC`: shared pages are read across time zones. */
function formatUtc(ts: number): string {
  const iso = formatIso(ts);
  return iso.startsWith('invalid') ? iso : `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

function timeRange(lines: readonly CaptureLine[]): { first: number; last: number } | undefined {
  if (lines.length === 0) return undefined;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const line of lines) {
    const { ts } = lineTime(line);
    first = Math.min(first, ts);
    last = Math.max(last, ts);
  }
  return { first, last };
}
