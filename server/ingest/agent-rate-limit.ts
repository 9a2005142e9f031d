import { TokenBucket } from './token-bucket.js';

const NEWLINE = 0x0a;

/** A batch after the rate limit: the lines kept (a prefix of the body) and how many were dropped. */
export interface RateLimited {
  body: Buffer;
  lineCount: number;
  truncated: number[] | undefined;
  droppedLines: number;
}

/**
 * `maxAgentLinesPerSec` for one agent connection: a token bucket holding one second's worth of
 * lines. A batch over what the bucket holds keeps its first lines and drops the rest; nothing is
 * queued for later, so a runaway agent costs the hub neither memory nor matching time. Lines are
 * counted in the body, not taken from the header, so an agent cannot understate them.
 */
export class AgentRateLimit {
  private readonly bucket: TokenBucket;

  constructor(linesPerSec: number, now?: () => number) {
    this.bucket = new TokenBucket(linesPerSec, linesPerSec, now);
  }

  apply(body: Buffer, truncated: readonly number[] | undefined): RateLimited {
    const allowed = this.bucket.available();
    let keptLines = 0;
    let cut = 0;
    while (keptLines < allowed && cut < body.length) {
      const end = body.indexOf(NEWLINE, cut);
      cut = end < 0 ? body.length : end + 1;
      keptLines += 1;
    }
    this.bucket.take(keptLines);
    let droppedLines = 0;
    for (let at = cut; at < body.length; ) {
      const end = body.indexOf(NEWLINE, at);
      at = end < 0 ? body.length : end + 1;
      droppedLines += 1;
    }
    if (droppedLines === 0) return { body, lineCount: keptLines, truncated: truncated ? [...truncated] : undefined, droppedLines };
    const kept = truncated?.filter((offset) => offset < cut);
    return { body: body.subarray(0, cut), lineCount: keptLines, truncated: kept && kept.length > 0 ? kept : undefined, droppedLines };
  }
}
