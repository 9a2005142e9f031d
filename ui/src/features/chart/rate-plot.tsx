import { useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatTimeOfDay } from '../../lib/text/time-format.js';
import { useElementWidth } from '../stream/use-element-width.js';
import { barAt, maxCount, plotColumns, type ChartSeries, type DeployMark } from './chart-data.js';
import { deployAnnotations } from './deploy-annotations.js';

interface RatePlotProps {
  series: ChartSeries;
  marks: readonly DeployMark[];
  height: number;
  /** Accessible name of the plot. */
  label: string;
  /** A bar was clicked: its index. */
  onBar(index: number): void;
  /** The user dragged across the plot: the two times under the ends of the drag. */
  onDrag(a: number, b: number): void;
}

/** Count ticks stay whole numbers. */
const COUNT_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7];
const pad = (value: number) => String(value).padStart(2, '0');

/**
 * Time-axis labels in the app's 24-hour local time: seconds only when ticks are under a minute
 * apart; the date under the first tick and under each midnight.
 */
function timeTicks(splits: number[], incrMs: number): string[] {
  return splits.map((ts, index) => {
    const date = new Date(ts);
    const time = incrMs < 60_000 ? `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` : `${pad(date.getHours())}:${pad(date.getMinutes())}`;
    const midnight = date.getHours() === 0 && date.getMinutes() === 0 && date.getSeconds() === 0;
    return index === 0 || midnight ? `${time}\n${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` : time;
  });
}

/** A click this soon after a drag ended belongs to the drag. */
const CLICK_AFTER_DRAG_MS = 300;

const DARK_QUERY = '(prefers-color-scheme: dark)';
function subscribeTheme(listener: () => void): () => void {
  if (typeof window.matchMedia !== 'function') return () => undefined;
  const list = window.matchMedia(DARK_QUERY);
  list.addEventListener('change', listener);
  return () => list.removeEventListener('change', listener);
}
const isDark = () => typeof window.matchMedia === 'function' && window.matchMedia(DARK_QUERY).matches;

/** The app's theme colours (app.css custom properties), read where the plot is: a canvas cannot use var(). */
function themeColors(element: HTMLElement) {
  const style = getComputedStyle(element);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: read('--text-muted', '#656d76'),
    grid: read('--border', '#d0d7de'),
    bar: read('--accent', '#0969da'),
    barFill: read('--accent-soft', 'rgba(9, 105, 218, 0.12)'),
    deploy: read('--danger', '#cf222e'),
  };
}

/**
 * The match counts as bars on a time axis (uPlot on a canvas), with the hovered bar's time and count
 * in the legend and deploys as labelled vertical lines. Built again when the width or the theme
 * changes; new data and marks are drawn in place, so a refresh keeps the hover.
 */
export function RatePlot({ series, marks, height, label, onBar, onDrag }: RatePlotProps) {
  const hostRef = useRef<HTMLDivElement>(null);
  const width = useElementWidth(hostRef);
  const dark = useSyncExternalStore(subscribeTheme, isDark, () => false);
  const plotRef = useRef<uPlot | undefined>(undefined);
  // The plot's callbacks read the latest props through these.
  const latest = useRef({ series, marks, onBar, onDrag });
  latest.current = { series, marks, onBar, onDrag };
  const [plotVersion, setPlotVersion] = useState(0);

  useLayoutEffect(() => {
    const host = hostRef.current;
    if (!host || width <= 0) return;
    const colors = themeColors(host);
    let draggedAt = Number.NEGATIVE_INFINITY;
    const options: uPlot.Options = {
      width,
      height,
      ms: 1,
      // Room on the right for the last time label.
      padding: [10, 32, 0, 0],
      cursor: {
        drag: { x: true, y: false, setScale: false },
        points: { show: false },
        // Bars start at their time: the hovered bar is the one under the cursor, not the nearest start.
        dataIdx: (_plot, _seriesIdx, closestIdx, xValue) => barAt(latest.current.series, xValue) ?? closestIdx,
      },
      legend: { show: true, live: true },
      scales: {
        x: { time: true, range: () => [latest.current.series.from, latest.current.series.to] },
        y: { range: () => [0, Math.ceil(maxCount(latest.current.series) * 1.1)] },
      },
      axes: [
        {
          stroke: colors.text,
          grid: { stroke: colors.grid, width: 1 },
          ticks: { stroke: colors.grid, width: 1 },
          // Room for "20:14:30" between ticks.
          space: 80,
          values: (_plot, splits, _axisIdx, _space, incr) => timeTicks(splits, incr),
        },
        { stroke: colors.text, grid: { stroke: colors.grid, width: 1 }, ticks: { stroke: colors.grid, width: 1 }, incrs: COUNT_INCRS, size: 48 },
      ],
      series: [
        {
          label: 'Time',
          value: (_plot, value) => {
            if (value === null) return '—';
            const { stepMs } = latest.current.series;
            return `${formatTimeOfDay(value)} – ${formatTimeOfDay(value + stepMs)}`;
          },
        },
        {
          label: 'Matches',
          stroke: colors.bar,
          fill: colors.barFill,
          width: 1,
          paths: uPlot.paths.bars!({ align: 1, size: [1, Infinity], gap: 1 }),
          points: { show: false },
          value: (_plot, value) => (value === null ? '—' : value.toLocaleString()),
        },
      ],
      hooks: {
        setSelect: [
          (plot) => {
            const { left, width: selected } = plot.select;
            if (selected < 3) return;
            draggedAt = performance.now();
            const a = plot.posToVal(left, 'x');
            const b = plot.posToVal(left + selected, 'x');
            plot.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            latest.current.onDrag(a, b);
          },
        ],
      },
      plugins: [deployAnnotations(() => latest.current.marks, () => colors.deploy)],
    };
    const plot = new uPlot(options, plotColumns(latest.current.series), host);
    plot.root.setAttribute('aria-label', label);
    plot.root.setAttribute('role', 'img');
    const onClick = () => {
      if (performance.now() - draggedAt < CLICK_AFTER_DRAG_MS) return;
      const left = plot.cursor.left;
      if (left === undefined || left < 0) return;
      const index = barAt(latest.current.series, plot.posToVal(left, 'x'));
      if (index !== undefined) latest.current.onBar(index);
    };
    plot.over.addEventListener('click', onClick);
    plotRef.current = plot;
    setPlotVersion((version) => version + 1);
    return () => {
      plot.over.removeEventListener('click', onClick);
      plot.destroy();
      plotRef.current = undefined;
    };
  }, [width, height, dark, label]);

  useEffect(() => {
    plotRef.current?.setData(plotColumns(series));
  }, [series, plotVersion]);
  useEffect(() => {
    plotRef.current?.redraw(false, false);
  }, [marks, plotVersion]);

  // The drawn range, for tests and tools that place a point on the time axis.
  return <div ref={hostRef} className="chart__plot" data-from={series.from} data-to={series.to} data-bars={series.buckets.length} />;
}
