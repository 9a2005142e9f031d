import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { PinsBar } from '../../../../ui/src/features/pins/pins-bar.js';
import type { VerdictsState } from '../../../../ui/src/lib/api/verdict-store.js';
import { deploy, pin } from '../../helpers/fake-api.js';
import { verdict } from '../../helpers/verdicts.js';

const S = 1000;
const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);
const shown = pin('checkout errors', { createdAt: T0 - 3600 * S });
const series = { bucketMs: 10 * S, buckets: [{ ts: T0 - 10 * S, count: 2 }, { ts: T0, count: 5 }], currentTs: T0, countedTo: T0 + 5 * S, truncated: false };

function bar(deploys: ReturnType<typeof deploy>[], verdicts: VerdictsState) {
  return render(
    <PinsBar
      state={{ status: 'ready', pins: [shown], error: undefined }}
      rates={new Map([[shown.id, { series, error: undefined }]])}
      deploys={deploys}
      verdicts={verdicts}
      windowMs={60 * 60 * S}
      openPinIds={new Set()}
      canEdit={true}
      now={T0 + 5 * S}
      onOpen={() => {}}
      onChart={() => {}}
      onDelete={async () => {}}
      onRetry={() => {}}
    />,
  );
}

describe('the pins bar with verdicts', () => {
  it('shows the pin’s verdict on the latest deploy instead of the "since last deploy" count', () => {
    const v2 = deploy('web v2', T0 - 60 * S);
    const one = verdict({ deployId: v2.id, pinId: shown.id, ratio: 8 });
    const { container } = bar([v2], { byDeploy: new Map([[v2.id, [one]]]), alpha: 0.01, error: undefined });
    const chip = container.querySelector(`.pin-chip[data-pin-id="${shown.id}"]`)!;
    expect(chip.querySelector('.since-deploy')).toBeNull();
    const badge = chip.querySelector('.verdict')!;
    expect(badge.getAttribute('data-verdict')).toBe('worse');
    expect(badge.textContent).toContain('watching 4 of 10 min');
    expect(badge.getAttribute('title')).toContain('deploy “web v2”');
  });

  it('does not show the previous deploy’s verdict once a newer deploy arrived: the count of the new one until its verdict comes', () => {
    const v2 = deploy('web v2', T0 - 60 * S);
    // Announced a moment ago, after the bar's clock last ticked.
    const v3 = deploy('web v3', T0 + 10 * S);
    const { container } = bar([v2, v3], { byDeploy: new Map([[v2.id, [verdict({ deployId: v2.id, pinId: shown.id })]]]), alpha: 0.01, error: undefined });
    expect(container.querySelector('.verdict')).toBeNull();
    expect(container.querySelector('.since-deploy')).not.toBeNull();
    expect(container.querySelector('.pins-bar__deploy')?.textContent).toContain('Last deploy: web v3');
  });
});
