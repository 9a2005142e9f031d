/** Counters for metrics and logs; all since the agent started. */
export interface AgentStats {
  /** Lines read and sent (lines read again after a reconnect count again). */
  linesRead: number;
  bytesRead: number;
  batchesSent: number;
  batchesAcked: number;
  /** Lines cut at maxLineBytes. */
  truncatedLines: number;
  /** Bytes left out of cut lines. */
  droppedBytes: number;
  /** Files open right now, including rotated-away ones still being read to their end. */
  filesFollowed: number;
  /** Files closed after idling (closeIdleAfterMs), opened again when they change. */
  filesClosedIdle: number;
  /** Times journalctl ended or could not start and was started again (only with the journal). */
  journalRestarts?: number;
  /** Connection attempts after the first (each retry counts). */
  reconnects: number;
  /** State-file writes that failed (full or unwritable state directory). */
  checkpointErrors: number;
  /** Batch body bytes sent and not yet acknowledged. */
  inflightBytes: number;
  /** A hub has welcomed this agent and the connection is up. */
  connected: boolean;
}

/** The counters the read-and-send path bumps; the rest of AgentStats is read from its owners on demand. */
export interface SendCounters {
  linesRead: number;
  bytesRead: number;
  batchesSent: number;
  batchesAcked: number;
  truncatedLines: number;
  droppedBytes: number;
}

export function newSendCounters(): SendCounters {
  return { linesRead: 0, bytesRead: 0, batchesSent: 0, batchesAcked: 0, truncatedLines: 0, droppedBytes: 0 };
}
