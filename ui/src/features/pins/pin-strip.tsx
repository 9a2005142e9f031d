import type { Deploy, Pin, Verdict } from '../../../../protocol/index.js';
import { lastDeployAt } from '../../lib/api/deploy-log.js';
import type { PinRateState } from './pin-rates.js';
import { SinceDeployCount } from './since-deploy.js';
import { Sparkline } from './sparkline.js';
import { VerdictBadge } from '../verdicts/verdict-badge.js';
import './pins.css';

interface PinStripProps {
  pin: Pin;
  rate: PinRateState | undefined;
  deploys: readonly Deploy[];
  /** The pin's verdict on the latest deploy, shown instead of the "since last deploy" count. */
  verdict?: { verdict: Verdict; deployLabel: string | undefined } | undefined;
  windowMs: number;
}

/** Under the header of a pane opened from a pin: the pin's name, its graph with deploys, and the deploy comparison. */
export function PinStrip({ pin, rate, deploys, verdict, windowMs }: PinStripProps) {
  const series = rate?.series;
  const deploy = series ? lastDeployAt(deploys, series.countedTo) : undefined;
  const countingSince = pin.countedFrom ?? pin.createdAt;
  const loadingHistory = pin.backfilling === true;
  return (
    <div className="pin-strip" aria-label={`Pin ${pin.name}`} role="group">
      <span className="pin-strip__label">Pin</span>
      <span className="pin-strip__name" title={pin.createdBy ? `Pinned by ${pin.createdBy}` : undefined}>
        {pin.name}
      </span>
      <Sparkline series={series} deploys={deploys} width={240} height={30} windowMs={windowMs} label={pin.name} countingSince={countingSince} loadingHistory={loadingHistory} />
      {verdict ? (
        <VerdictBadge verdict={verdict.verdict} deployLabel={verdict.deployLabel} />
      ) : (
        <SinceDeployCount series={series} deploy={deploy} countingSince={countingSince} loadingHistory={loadingHistory} />
      )}
      {rate?.error && <span className="pin-strip__error">Counts not refreshed: {rate.error}</span>}
    </div>
  );
}
