import { useEffect, useMemo, useState } from 'react';
import type { Deploy } from '../../../../protocol/index.js';
import { useStore } from '../../lib/store.js';
import { formatTimeOfDay } from '../../lib/text/time-format.js';
import { RangeForm } from '../history/range-form.js';
import { barSpan, CHART_PRESETS, deployMarks, dragSpan, type ChartSeries, type TimeSpan } from './chart-data.js';
import type { ChartStore, ChartTarget } from './chart-store.js';
import { RatePlot } from './rate-plot.js';
import './chart.css';

interface ChartPanelProps {
  chart: ChartStore;
  deploys: readonly Deploy[];
  /** The phone layout: a full-screen sheet, closed once lines are opened. */
  narrow: boolean;
  /** Opens the lines of `span` from history, with the chart's filter. */
  onRange(span: TimeSpan, label: string): void;
}

/** "14:02:10 – 14:02:20": what a results view opened from the chart is called. */
function spanLabel(span: TimeSpan): string {
  return `Chart: ${formatTimeOfDay(span.from)} – ${formatTimeOfDay(span.to)}`;
}

function targetTitle(target: ChartTarget): string {
  return target.kind === 'pin' ? `Pin ${target.name}` : target.title;
}

/**
 * The rate chart of a pin or of a pane's filter: bars of matches over a chosen window, deploys as
 * labelled lines; a click on a bar, or a drag across bars, opens their lines from history in a pane.
 * Loaded on demand (React.lazy): uPlot is only fetched by those who open a chart.
 */
export default function ChartPanel({ chart, deploys, narrow, onRange }: ChartPanelProps) {
  const state = useStore(chart);
  const { target, series, window } = state;
  const marks = useMemo(() => (series ? deployMarks(deploys, series) : []), [deploys, series]);
  const [customOpen, setCustomOpen] = useState(window.kind === 'custom');

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') chart.close();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [chart]);

  if (!target) return null;
  const title = targetTitle(target);
  const open = (span: TimeSpan | undefined) => {
    if (!span) return;
    onRange(span, spanLabel(span));
    if (narrow) chart.close();
  };
  const total = series?.buckets.reduce((sum, bucket) => sum + (bucket.count ?? 0), 0);

  return (
    <section className={narrow ? 'chart chart--sheet' : 'chart'} aria-label={`Chart of ${title}`} data-status={state.status}>
      <header className="chart__header">
        <h2 className="chart__title" title={target.filter.query}>
          {title}
        </h2>
        <button type="button" className="chart__close" aria-label="Close the chart" onClick={() => chart.close()}>
          ✕
        </button>
        <div className="chart__windows" role="group" aria-label="Chart window">
          {CHART_PRESETS.map((preset) => (
            <button
              key={preset.ms}
              type="button"
              aria-pressed={window.kind === 'last' && window.ms === preset.ms}
              onClick={() => {
                setCustomOpen(false);
                void chart.setWindow({ kind: 'last', ms: preset.ms });
              }}
            >
              {preset.label}
            </button>
          ))}
          <button type="button" aria-pressed={window.kind === 'custom' || customOpen} aria-expanded={customOpen} onClick={() => setCustomOpen((shown) => !shown)}>
            Custom
          </button>
        </div>
        <button type="button" className="chart__refresh" onClick={() => void chart.load()} title="Load the counts again">
          Refresh
        </button>
      </header>
      {customOpen && <CustomWindow series={series} onPick={(from, to) => void chart.setWindow({ kind: 'custom', from, to })} />}
      <p className="chart__status" role="status">
        {state.status === 'loading' && !series
          ? 'Loading counts…'
          : state.status === 'error'
            ? `Could not load the counts: ${state.error}`
            : series
              ? `${(total ?? 0).toLocaleString()} matches in ${series.buckets.length} bars of ${formatStep(series.stepMs)}. Click a bar or drag across bars to see their lines.`
              : ''}
      </p>
      {series && (
        <RatePlot
          series={series}
          marks={marks}
          height={narrow ? 260 : 220}
          label={`Matches per ${formatStep(series.stepMs)} for ${title}`}
          onBar={(index) => open(barSpan(series, index))}
          onDrag={(a, b) => open(dragSpan(series, a, b))}
        />
      )}
      {series && (
        <div className="chart__footer">
          <button type="button" onClick={() => open({ from: series.from, to: series.to })}>
            Show lines of the whole window
          </button>
          {marks.length > 0 && (
            <span className="chart__marks">
              Deploys: {marks.map((mark) => `${mark.label} (${formatTimeOfDay(mark.ts)})`).join(', ')}
            </span>
          )}
        </div>
      )}
    </section>
  );
}

function formatStep(ms: number): string {
  if (ms < 60_000) return `${ms / 1000} s`;
  if (ms < 3_600_000) return `${ms / 60_000} min`;
  if (ms < 86_400_000) return `${ms / 3_600_000} h`;
  return `${ms / 86_400_000} d`;
}

function CustomWindow({ series, onPick }: { series: ChartSeries | undefined; onPick(from: number, to: number): void }) {
  return (
    <RangeForm
      initialFrom={series?.from ?? Date.now() - 60 * 60_000}
      initialTo={series?.to ?? Date.now()}
      ariaLabel="Custom chart window"
      className="chart__custom"
      submitLabel="Show"
      allowEmpty={false}
      onPick={onPick}
    />
  );
}
