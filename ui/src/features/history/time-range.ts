import type { Deploy } from '../../../../protocol/index.js';
import { formatTimeOfDay } from '../../lib/text/time-format.js';

/** What the time control can pick besides Live. */
export type TimeChoice =
  | { kind: 'last'; ms: number }
  | { kind: 'deploy'; deploy: Pick<Deploy, 'label' | 'startedAt'> }
  | { kind: 'custom'; from: number; to: number };

/** A range to search, ms since the epoch, with what the results view calls it. */
export interface TimeRange {
  from: number;
  to: number;
  label: string;
}

export const LAST_PRESETS: readonly { label: string; ms: number }[] = [
  { label: 'Last 15 min', ms: 15 * 60_000 },
  { label: 'Last 1 h', ms: 60 * 60_000 },
  { label: 'Last 24 h', ms: 24 * 60 * 60_000 },
];

/** "Around deploy X": from this long before it started to this long after. */
const AROUND_DEPLOY = { beforeMs: 15 * 60_000, afterMs: 30 * 60_000 } as const;

/** The range a choice stands for at `now` (a "last" range ends now; one around a deploy may end in the future). */
export function resolveRange(choice: TimeChoice, now: number): TimeRange {
  switch (choice.kind) {
    case 'last':
      return { from: now - choice.ms, to: now, label: LAST_PRESETS.find((preset) => preset.ms === choice.ms)?.label ?? `Last ${Math.round(choice.ms / 60_000)} min` };
    case 'deploy':
      return {
        from: choice.deploy.startedAt - AROUND_DEPLOY.beforeMs,
        to: choice.deploy.startedAt + AROUND_DEPLOY.afterMs,
        label: `Around deploy ${choice.deploy.label} (${formatTimeOfDay(choice.deploy.startedAt)})`,
      };
    case 'custom':
      return { from: choice.from, to: choice.to, label: `${formatLocalInput(choice.from).replace('T', ' ')} to ${formatLocalInput(choice.to).replace('T', ' ')}` };
  }
}

const pad = (value: number) => String(value).padStart(2, '0');

/** A local time as a `datetime-local` input's value (`2026-12-07T10:22:05`). */
export function formatLocalInput(ts: number): string {
  const date = new Date(ts);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** A `datetime-local` input's value as ms since the epoch (local time); undefined when empty or invalid. */
export function parseLocalInput(value: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(value.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s = '0', ms = '0'] = match;
  const date = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(ms.padEnd(3, '0')));
  // new Date rolls 2026-02-31 over to March: such an input is not a time.
  if (date.getMonth() !== Number(mo) - 1 || date.getDate() !== Number(d)) return undefined;
  return date.getTime();
}
