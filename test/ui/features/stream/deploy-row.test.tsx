import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { DeployRow } from '../../../../ui/src/features/stream/deploy-row.js';
import { VerdictsContext } from '../../../../ui/src/features/verdicts/verdicts-context.js';
import { VerdictStore } from '../../../../ui/src/lib/api/verdict-store.js';
import { verdict } from '../../helpers/verdicts.js';
import { safeHttpUrl } from '../../../../ui/src/lib/text/safe-url.js';
import { deploy } from '../../helpers/fake-api.js';

const AT = Date.UTC(2024, 4, 1, 14, 2, 11);

describe('DeployRow', () => {
  it('says what was deployed, by whom and when, linking to the deploy', () => {
    const { container } = render(<DeployRow entry={{ kind: 'deploy', deploy: deploy('web v1.2.3', AT, { by: 'ci', url: 'https://ci.example/runs/42' }) }} />);
    const row = container.querySelector('.marker-row--deploy')!;
    expect(row.textContent).toBe('⬆ Deploy web v1.2.3 by ci · 14:02:11');
    const link = row.querySelector('a')!;
    expect(link.textContent).toBe('web v1.2.3');
    expect(link.getAttribute('href')).toBe('https://ci.example/runs/42');
    expect(link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(row.querySelector('time')?.getAttribute('datetime')).toBe('2024-05-01T14:02:11.000Z');
  });

  it('adds the summary of the deploy’s verdicts, and updates it when a `verdicts` message arrives', async () => {
    const store = new VerdictStore({ deployVerdicts: async () => Promise.reject(new Error('unused')) });
    const shown = deploy('web v2', AT);
    const { container, findByText } = render(
      <VerdictsContext.Provider value={store}>
        <DeployRow entry={{ kind: 'deploy', deploy: shown }} />
      </VerdictsContext.Provider>,
    );
    expect(container.querySelector('[data-verdict-summary]')).toBeNull();
    store.apply({ type: 'verdicts', deployId: shown.id, verdicts: [verdict({ deployId: shown.id, pinId: 'a' }), verdict({ deployId: shown.id, pinId: 'b' }), verdict({ deployId: shown.id, pinId: 'c', verdict: 'unchanged' })] });
    await findByText(/2 pins worse/);
    const summary = container.querySelector('[data-verdict-summary]')!;
    expect(summary.textContent).toBe('· 2 pins worse, 1 unchanged (watching)');
    expect(summary.classList.contains('verdict-summary--worse')).toBe(true);
  });

  it('never links a URL that is not http(s), and leaves out who when nobody was named', () => {
    const { container } = render(<DeployRow entry={{ kind: 'deploy', deploy: deploy('<b>x</b>', AT, { url: 'javascript:alert(1)' }) }} />);
    const row = container.querySelector('.marker-row--deploy')!;
    expect(row.querySelector('a')).toBeNull();
    expect(row.querySelector('b')).toBeNull();
    expect(row.textContent).toBe('⬆ Deploy <b>x</b> · 14:02:11');
  });
});

describe('safeHttpUrl', () => {
  it.each([
    ['https://ci.example/runs/42', 'https://ci.example/runs/42'],
    ['http://jenkins:8080/job/web/7/', 'http://jenkins:8080/job/web/7/'],
    ['javascript:alert(1)', undefined],
    ['data:text/html,<script>alert(1)</script>', undefined],
    ['/relative/path', undefined],
    [undefined, undefined],
  ])('%s', (input, expected) => {
    expect(safeHttpUrl(input)).toBe(expected);
  });
});
