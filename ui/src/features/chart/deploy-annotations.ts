import type uPlot from 'uplot';
import { formatTimeOfDay } from '../../lib/text/time-format.js';
import type { DeployMark } from './chart-data.js';

/** Past this fraction of the width a label hangs to the left of its line, so it stays on the plot. */
const LABEL_FLIP_AT = 0.7;

/**
 * A uPlot plugin that draws each deploy as a dashed vertical line on the canvas, with its label as
 * a DOM element over the plot (readable text, selectable, found by tests and screen readers).
 * `marks` is read at every draw, so new deploys show on the next redraw.
 */
export function deployAnnotations(marks: () => readonly DeployMark[], color: () => string): uPlot.Plugin {
  let layer: HTMLDivElement | undefined;
  return {
    hooks: {
      init: (plot) => {
        layer = document.createElement('div');
        layer.className = 'chart__deploys';
        plot.over.appendChild(layer);
      },
      draw: (plot) => {
        const { ctx } = plot;
        const { left, top, width, height } = plot.bbox;
        const ratio = window.devicePixelRatio || 1;
        ctx.save();
        ctx.strokeStyle = color();
        ctx.lineWidth = Math.max(1, Math.round(1.5 * ratio));
        ctx.setLineDash([4 * ratio, 3 * ratio]);
        const labels: HTMLElement[] = [];
        for (const mark of marks()) {
          const x = Math.round(left + mark.at * width) + 0.5;
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + height);
          ctx.stroke();
          const label = document.createElement('span');
          label.className = mark.at > LABEL_FLIP_AT ? 'chart__deploy chart__deploy--end' : 'chart__deploy';
          label.dataset.deployId = mark.id;
          label.textContent = mark.label;
          label.title = `Deploy ${mark.label} at ${formatTimeOfDay(mark.ts)}`;
          // Through the CSSOM, which the Content-Security-Policy allows (a style attribute it would not).
          label.style.left = `${(mark.at * 100).toFixed(3)}%`;
          labels.push(label);
        }
        ctx.restore();
        layer?.replaceChildren(...labels);
      },
    },
  };
}
