import type { Logger } from '../../lib/logger.js';
import { acceptRedaction } from '../../lib/redaction/redaction-offer.js';
import { Redactor } from '../../lib/redaction/redactor.js';
import type { AgentRedaction } from '../../protocol/index.js';

/** A batch body after the hub's rules ran over it, with what the lines frame says about that. */
export interface EdgeRedacted {
  body: Buffer;
  truncated: number[];
  /** The digest of the rules applied; undefined when none were (the hub then scans the lines). */
  digest: string | undefined;
  /** Secrets replaced, by rule name; undefined when none were. */
  counts: Record<string, number> | undefined;
}

/**
 * Replaces secrets in lines before they leave this host, with the rules the hub offered in its
 * welcome (docs/security.md). Secrets then never cross the network, and a hub fed by many agents does
 * not scan every byte for them. When the offer cannot be applied exactly
 * as the hub would (an unknown rule check, another version of the redaction code, a pattern this
 * agent's RE2 refuses), lines go out as read and the hub scans them itself: the fallback is the old
 * behaviour, never unredacted lines.
 */
export class EdgeRedaction {
  private current: { digest: string; redactor: Redactor } | undefined;
  /** Counts of the batch being redacted, filled by the redactor's callback. */
  private batchCounts: Record<string, number> | undefined;

  constructor(private readonly logger: Logger) {}

  /** The rules of a new connection's welcome (undefined: the hub offers none). */
  adopt(offer: AgentRedaction | undefined): void {
    if (offer === undefined) {
      this.current = undefined;
      return;
    }
    // The same rules as on the last connection: keep what is compiled.
    if (this.current?.digest === offer.digest) return;
    this.current = undefined;
    const accepted = acceptRedaction(offer);
    if ('problem' in accepted) {
      this.logger.warn({ reason: accepted.problem }, "cannot apply the hub's redaction rules; the hub redacts this agent's lines");
      return;
    }
    try {
      const redactor = new Redactor(accepted.rules, (rule, count) => {
        this.batchCounts ??= {};
        this.batchCounts[rule] = (this.batchCounts[rule] ?? 0) + count;
      });
      this.current = { digest: offer.digest, redactor };
      this.logger.info({ rules: accepted.rules.length }, "redacting lines with the hub's rules before sending them");
    } catch (error) {
      this.logger.warn({ reason: (error as Error).message }, "cannot compile the hub's redaction rules; the hub redacts this agent's lines");
    }
  }

  /** Whether lines are redacted here (the hub offered rules this agent can apply). */
  get active(): boolean {
    return this.current !== undefined;
  }

  /**
   * `body` with its secrets replaced and `truncated` (body offsets of cut lines) moved with the lines
   * that changed length. `body` may be a view into a buffer the caller reuses: it is returned as is
   * when nothing in it is a secret, which is the usual case. A body that replacements made longer
   * than `maxBytes` (a frame's room) goes out as read, for the hub to redact: it could not be sent.
   */
  apply(body: Buffer, truncated: number[], maxBytes: number): EdgeRedacted {
    const current = this.current;
    if (current === undefined) return { body, truncated, digest: undefined, counts: undefined };
    this.batchCounts = undefined;
    const redacted = current.redactor.redactBody(body, truncated.length > 0 ? new Set(truncated) : undefined);
    const counts = this.batchCounts;
    this.batchCounts = undefined;
    if (redacted === undefined) return { body, truncated, digest: current.digest, counts: undefined };
    if (redacted.body.length > maxBytes) return { body, truncated, digest: undefined, counts: undefined };
    const moved = redacted.truncated === undefined ? [] : [...redacted.truncated].sort((a, b) => a - b);
    return { body: redacted.body, truncated: moved, digest: current.digest, counts };
  }
}
