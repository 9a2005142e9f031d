import type { Verdict } from '../protocol/index.js';

/** `supergrep deploy --watch` exit codes besides 0 (no selected pin worse) and 1 (an error). */
export const EXIT_WORSE = 3;

/** A pin the gate judges the deploy by. */
export interface SelectedPin {
  id: string;
  name: string;
}

export type GateDecision =
  | { done: false; pending: SelectedPin[] }
  | { done: true; exitCode: 0 | typeof EXIT_WORSE; worse: Verdict[]; early: boolean };

/**
 * Whether the watch is over and how it ends, from the latest verdict of each selected pin: over
 * once every one is final (exit 3 if any is worse, else 0), or with `failFast` at the first worse
 * verdict, final or not. A selected pin the hub has not judged yet is pending.
 */
export function gateDecision(latest: ReadonlyMap<string, Verdict>, selected: readonly SelectedPin[], failFast: boolean): GateDecision {
  const verdicts = selected.map((pin) => latest.get(pin.id));
  const worse = verdicts.filter((verdict): verdict is Verdict => verdict?.verdict === 'worse');
  const pending = selected.filter((_, i) => verdicts[i]?.final !== true);
  if (failFast && worse.length > 0) return { done: true, exitCode: EXIT_WORSE, worse, early: pending.length > 0 };
  if (pending.length > 0) return { done: false, pending };
  return { done: true, exitCode: worse.length > 0 ? EXIT_WORSE : 0, worse, early: false };
}
