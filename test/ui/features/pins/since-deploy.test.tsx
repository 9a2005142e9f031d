import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { describe, expect, it } from 'vitest';
import type { PinSeries } from '../../../../ui/src/features/pins/rate-math.js';
import { SinceDeployCount } from '../../../../ui/src/features/pins/since-deploy.js';
import { Sparkline } from '../../../../ui/src/features/pins/sparkline.js';
import { deploy } from '../../helpers/fake-api.js';

const S = 1000;
const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);
// [T0, T0+10) 2, then 2, 3, 4, 5, and the current bucket [T0+50, T0+55) 6.
const series: PinSeries = {
  bucketMs: 10 * S,
  buckets: [2, 2, 3, 4, 5, 6].map((count, i) => ({ ts: T0 + i * 10 * S, count })),
  currentTs: T0 + 50 * S,
  countedTo: T0 + 55 * S,
  truncated: false,
};

function text(element: ReactElement) {
  const { container } = render(element);
  const span = container.querySelector('.since-deploy')!;
  return { text: span.textContent, title: span.getAttribute('title') ?? '', className: span.className };
}

describe('SinceDeployCount', () => {
  it('reads "since last deploy: N (before: M)" and is marked when things got worse', () => {
    const shown = text(<SinceDeployCount series={series} deploy={deploy('web v1.2.3', T0 + 30 * S)} countingSince={T0 - 3600 * S} />);
    expect(shown.text).toBe('since last deploy: 15 (before: 6)');
    expect(shown.className).toContain('since-deploy--worse');
    expect(shown.title).toBe(
      '15 matches since deploy “web v1.2.3” started at 12:00:30 (25 s), against 6 in the 25 s before it. Counted in 10 s buckets; a bucket that straddles the deploy is split in proportion to time.',
    );
  });

  it('marks estimates, a pin created after the deploy, and a span the pin did not exist for', () => {
    expect(text(<SinceDeployCount series={series} deploy={deploy('d', T0 + 25 * S)} countingSince={T0 - 3600 * S} />).text).toBe(
      'since last deploy: ≈17 (before: —)',
    );
    const young = text(<SinceDeployCount series={series} deploy={deploy('d', T0 + 30 * S)} countingSince={T0 + 40 * S} />);
    expect(young.text).toBe('since last deploy: ≥11 (before: —)');
    expect(young.title).toContain('counted from 12:00:40 when this pin was created');
    expect(young.title).toContain('the pin did not exist yet');
    expect(young.className).not.toContain('since-deploy--worse');
  });

  it('says when there was no deploy in the window', () => {
    const { container } = render(<SinceDeployCount series={series} deploy={undefined} countingSince={0} />);
    expect(container.textContent).toBe('no deploy in 24 h');
  });
});

describe('Sparkline', () => {
  it('draws complete buckets from the pin’s creation on, with a line per deploy', () => {
    const { container } = render(
      <Sparkline series={series} deploys={[deploy('d', T0 + 30 * S), deploy('planned', T0 + 90 * S)]} width={100} height={20} windowMs={60 * S} label="errors" countingSince={T0 + 15 * S} />,
    );
    const svg = container.querySelector('svg')!;
    // Axis [T0-10 s, T0+50 s] on 100 px. Buckets T0+10 .. T0+40 at their middles (T0 ends before the
    // creation; T0+50 is still filling), peak 5.
    expect(svg.querySelector('path.sparkline__line')!.getAttribute('d')).toBe('M41.67 11.6L58.33 8.4L75 5.2L91.67 2');
    expect([...svg.querySelectorAll('line.sparkline__deploy')].map((line) => line.getAttribute('x1'))).toEqual(['66.67']);
    expect(svg.getAttribute('aria-label')).toBe('errors: 14 matches in the last 1 min, at most 5 per 10 s; 1 deploy');
  });

  it('is an empty frame until the first counts arrive', () => {
    const { container } = render(<Sparkline series={undefined} deploys={[]} width={100} height={20} windowMs={60 * S} label="errors" countingSince={0} />);
    expect(container.querySelector('svg')!.getAttribute('aria-label')).toBe('errors: loading');
    expect(container.querySelector('path')).toBeNull();
  });
});
