import { setTimeout as delay } from 'node:timers/promises';
import { ReconnectBackoff, type DeployVerdicts, type Verdict } from '../protocol/index.js';
import { HubUnreachableError } from './http-get.js';
import { escapeControls } from './tail-format.js';
import { formatOutcome, formatSpan, formatVerdict, outcomeRecord, verdictRecord } from './verdict-format.js';
import { gateDecision, type SelectedPin } from './verdict-gate.js';

export interface VerdictWatch {
  pins: readonly SelectedPin[];
  failFast: boolean;
  json: boolean;
  pollIntervalMs: number;
  /** How long the hub may stay unreachable (or answer 5xx) in a row before the watch fails. */
  unreachableTimeoutMs: number;
  /** Local time after which the watch fails if the hub has not settled every verdict. */
  deadline: number;
  /** What the deadline stands for, in the failure message. */
  deadlineText: string;
  /** One GET of the deploy's verdicts; `HubUnreachableError` for a failure worth retrying. */
  fetchVerdicts: () => Promise<DeployVerdicts>;
  print: (line: string) => void;
  warn: (line: string) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

function changed(previous: Verdict | undefined, next: Verdict): boolean {
  return previous === undefined || previous.verdict !== next.verdict || previous.final !== next.final;
}

/**
 * Polls a deploy's verdicts until the gate decides (gateDecision) and returns the exit code;
 * prints each selected pin's verdict when it changes. Throws when the hub stays unreachable past
 * `unreachableTimeoutMs`, answers something unusable, or has not settled by `deadline`.
 */
export async function watchVerdicts(watch: VerdictWatch): Promise<number> {
  const now = watch.now ?? Date.now;
  const sleep = watch.sleep ?? ((ms: number) => delay(ms));
  const selected = new Set(watch.pins.map((pin) => pin.id));
  const latest = new Map<string, Verdict>();
  const backoff = new ReconnectBackoff({ baseMs: 500, capMs: 5_000, minMs: 250 });
  let unreachableSince: number | undefined;
  for (;;) {
    let answer: DeployVerdicts;
    try {
      answer = await watch.fetchVerdicts();
      unreachableSince = undefined;
      backoff.reset();
    } catch (error) {
      if (!(error instanceof HubUnreachableError)) throw error;
      const at = now();
      unreachableSince ??= at;
      if (at - unreachableSince >= watch.unreachableTimeoutMs) {
        throw new Error(`${error.message}; gave up after ${formatSpan(at - unreachableSince)} without an answer (--timeout)`, { cause: error });
      }
      if (at >= watch.deadline) throw new Error(`${error.message}; ${watch.deadlineText}`, { cause: error });
      const wait = Math.min(backoff.next(), Math.max(0, unreachableSince + watch.unreachableTimeoutMs - at));
      watch.warn(`${error.message}; retrying in ${(wait / 1000).toFixed(1)}s`);
      await sleep(wait);
      continue;
    }
    for (const verdict of answer.verdicts) {
      if (!selected.has(verdict.pinId)) continue;
      if (changed(latest.get(verdict.pinId), verdict)) watch.print(watch.json ? verdictRecord(verdict) : formatVerdict(verdict));
      latest.set(verdict.pinId, verdict);
    }
    const decision = gateDecision(latest, watch.pins, watch.failFast);
    if (decision.done) {
      const judged = watch.pins.flatMap((pin) => latest.get(pin.id) ?? []);
      watch.print(watch.json ? outcomeRecord(decision, judged) : formatOutcome(decision, judged));
      return decision.exitCode;
    }
    if (now() >= watch.deadline) {
      const names = decision.pending.map((pin) => `"${escapeControls(pin.name)}"`).join(', ');
      throw new Error(`no final verdict from the hub for ${names}: ${watch.deadlineText}`);
    }
    await sleep(watch.pollIntervalMs);
  }
}
