import type { AlertNotification, Pin } from '../../protocol/index.js';
import type { AlertEvent, RateAlert, VerdictAlert } from './alert-rules.js';

/** How much of the pin's history before the event the chart link shows. */
const CHART_LEAD_MS = 30 * 60_000;
/** How far before a deploy the lines link starts, to show the lines around it. */
const LINES_LEAD_MS = 5 * 60_000;

/**
 * A link into the UI with the pin's filter (the same query keys as ui/src/features/panes/url-state.ts:
 * q, x, i, h, f) and `from`/`to` in ms since the epoch, which the UI opens as a custom history range.
 * The chart link also carries the pin (`p`) and `chart=1`: the UI opens the pin's chart over that
 * window. The lines link shows the lines of the range.
 */
function viewLink(baseUrl: string, pin: Pin, range: { from: number; to: number }, chart: boolean): string {
  const params = new URLSearchParams();
  if (pin.query !== '') params.set('q', pin.query);
  if (pin.exclude) params.set('x', pin.exclude);
  if (pin.caseInsensitive) params.set('i', '1');
  for (const host of pin.hosts ?? []) params.append('h', host);
  for (const file of pin.files ?? []) params.append('f', file);
  if (chart) params.set('p', pin.id);
  params.set('from', String(Math.floor(range.from)));
  params.set('to', String(Math.ceil(range.to)));
  if (chart) params.set('chart', '1');
  return `${baseUrl.replace(/\/+$/, '')}/?${params.toString()}`;
}

/** "10m", "4m 30s", "1h 5m", "45s". */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (hours > 0) return minutes > 0 ? `${hours}h ${minutes}m` : `${hours}h`;
  return rest > 0 ? `${minutes}m ${rest}s` : `${minutes}m`;
}

function formatRatio(ratio: number | null): string {
  return ratio === null ? 'no match before' : `\u00d7${Number(ratio.toPrecision(3))}`;
}

function formatP(p: number): string {
  return p < 0.001 ? p.toExponential(1) : String(Number(p.toPrecision(2)));
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 'es'}`;
}

function verdictNotification(event: VerdictAlert, baseUrl: string): AlertNotification {
  const { pin, deploy, verdict, firedFor } = event;
  const counts =
    `${plural(verdict.windowCount, 'match')} in ${formatDuration(verdict.windowElapsedMs)} after, ` +
    `${plural(verdict.baselineCount, 'match')} in ${formatDuration(verdict.baselineCoveredMs)} before ` +
    `(rate ${formatRatio(verdict.ratio)}, p = ${formatP(verdict.pValue)})`;
  const about = firedFor ?? deploy;
  const chart = viewLink(baseUrl, pin, { from: about.startedAt - CHART_LEAD_MS, to: Math.max(verdict.windowTo, event.at) }, true);
  const lines = viewLink(baseUrl, pin, { from: about.startedAt - LINES_LEAD_MS, to: Math.max(verdict.windowTo, event.at) }, false);
  let headline: string;
  if (event.status === 'firing') headline = `FIRING: pin "${pin.name}" got worse after deploy "${deploy.label}": ${counts}.`;
  else if (firedFor) headline = `RESOLVED: pin "${pin.name}" is ${verdict.verdict} after the later deploy "${deploy.label}" (it was worse after "${firedFor.label}"): ${counts}.`;
  else headline = `RESOLVED: pin "${pin.name}" is no longer worse after deploy "${deploy.label}" (now ${verdict.verdict}): ${counts}.`;
  return {
    status: event.status,
    rule: event.rule,
    pin: { id: pin.id, name: pin.name, query: pin.query },
    deploy: { id: deploy.id, label: deploy.label, startedAt: deploy.startedAt },
    counts: { baseline: verdict.baselineCount, window: verdict.windowCount },
    ratio: verdict.ratio,
    pValue: verdict.pValue,
    links: { chart, lines },
    text: `[supergrep] ${headline} Chart: ${chart} Lines: ${lines}`,
    at: event.at,
  };
}

function rateNotification(event: RateAlert, baseUrl: string): AlertNotification {
  const { pin, rule, minuteCounts } = event;
  const last = minuteCounts.at(-1) ?? 0;
  const chart = viewLink(baseUrl, pin, { from: event.from - CHART_LEAD_MS, to: event.to }, true);
  const lines = viewLink(baseUrl, pin, { from: event.from, to: event.to }, false);
  const minutes = `${rule.forMinutes} minute${rule.forMinutes === 1 ? '' : 's'}`;
  const headline =
    event.status === 'firing'
      ? `FIRING: pin "${pin.name}" matched more than ${rule.perMinute} lines a minute for ${minutes} (per minute: ${minuteCounts.join(', ')}).`
      : `RESOLVED: pin "${pin.name}" matched ${last} line${last === 1 ? '' : 's'} in the last minute, not more than ${rule.perMinute}.`;
  return {
    status: event.status,
    rule,
    pin: { id: pin.id, name: pin.name, query: pin.query },
    counts: { perMinute: last },
    links: { chart, lines },
    text: `[supergrep] ${headline} Chart: ${chart} Lines: ${lines}`,
    at: event.at,
  };
}

/** The generic JSON body of one transition; its `text` is the chat message. Links start at `baseUrl`. */
export function buildNotification(event: AlertEvent, baseUrl: string): AlertNotification {
  return event.rule.kind === 'verdict-worse' ? verdictNotification(event as VerdictAlert, baseUrl) : rateNotification(event as RateAlert, baseUrl);
}

/**
 * The Slack-compatible body. `<` and `>` are escaped (Slack's entities, which Mattermost's markdown
 * decodes too), so a pin name or deploy label cannot become a link or an `<!channel>` mention; `&`
 * is left alone so the links' query strings stay usable where the entity would not be decoded.
 */
export function slackBody(notification: AlertNotification): { text: string } {
  return { text: notification.text.replaceAll('<', '&lt;').replaceAll('>', '&gt;') };
}
