import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { VerdictBadge } from '../../../../ui/src/features/verdicts/verdict-badge.js';
import { deploySummary, formatPValue, formatRatio, verdictTitle, watchingText } from '../../../../ui/src/features/verdicts/verdict-text.js';
import { verdict } from '../../helpers/verdicts.js';

describe('the verdict badge', () => {
  it('says the verdict, the ratio, both counts and how much of the window it has watched', () => {
    const { container } = render(<VerdictBadge verdict={verdict({ ratio: 8 })} deployLabel="web v2" />);
    const badge = container.querySelector('.verdict')!;
    expect(badge.textContent).toBe('worse×8.024 after · 3 before' + 'watching 4 of 10 min');
    expect(badge.classList.contains('verdict--worse')).toBe(true);
    expect(badge.querySelector('.verdict__kind')?.textContent).toBe('worse');
  });

  it('has a title with the p-value and the baseline it used, cut short when the pin is younger than the baseline', () => {
    const full = verdictTitle(verdict({ ratio: 8 }), 'web v2');
    expect(full).toBe(
      'worse after deploy “web v2”: 24 matches in 4.3 min after it, 3 in 60 min before it; rate ratio ×8.0, p = 2.4e-9 (exact test of two Poisson counts). Updating live: watching 4 of 10 min.',
    );
    const short = verdictTitle(verdict({ baselineCoveredMs: 12 * 60_000, final: true, verdict: 'unchanged', pValue: 0.31, ratio: 1.2 }), undefined);
    expect(short).toContain('3 in 12 min before it (baseline cut to 12 min of 60 min: the pin\'s counts begin there)');
    expect(short).toContain('p = 0.31');
    expect(short.startsWith('unchanged after the deploy')).toBe(true);
    expect(short.endsWith('Final.')).toBe(true);
  });

  it('says "too few to tell" without a ratio, "better" and "unchanged" with one', () => {
    const few = render(<VerdictBadge verdict={verdict({ verdict: 'too-few', windowCount: 1, baselineCount: 0, ratio: null })} deployLabel={undefined} />);
    expect(few.container.querySelector('.verdict')?.textContent).toBe('too few to tell1 after · 0 before' + 'watching 4 of 10 min');
    expect(formatRatio(0.25)).toBe('×0.25');
    expect(formatRatio(12.4)).toBe('×12');
    expect(formatRatio(null)).toBe('new');
    expect(formatPValue(0.0004)).toBe('p = 4.0e-4');
    expect(watchingText(verdict({ final: true }))).toBe('final');
  });
});

describe('a deploy divider’s summary', () => {
  it('counts the pins per verdict, worse first, and says when the window is still filling', () => {
    const verdicts = [
      verdict({ pinId: 'a', verdict: 'unchanged' }),
      verdict({ pinId: 'b', verdict: 'worse' }),
      verdict({ pinId: 'c', verdict: 'worse' }),
      verdict({ pinId: 'd', verdict: 'too-few' }),
    ];
    expect(deploySummary(verdicts)).toEqual({ text: '2 pins worse, 1 unchanged, 1 too few to tell (watching)', worse: true });
    expect(deploySummary(verdicts.slice(0, 1).map((one) => ({ ...one, final: true })))).toEqual({ text: '1 pin unchanged', worse: false });
    expect(deploySummary([])).toBeUndefined();
  });
});
