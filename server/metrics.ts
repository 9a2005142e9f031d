import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EvaluationKind, FilterCostObserver } from './filter/filter-engine.js';
import type { HistoryObserver, HistoryStats } from './history/history-store.js';

/**
 * The hub's Prometheus metrics, in a Registry of its own: two hubs in one process (tests) do not
 * collide, and nothing another library puts in the global registry leaks into /metrics.
 */
export class HubMetrics {
  readonly registry = new Registry();

  readonly agentLines = new Counter({
    name: 'supergrep_agent_lines_total',
    help: 'Lines taken in from agents (duplicates excluded)',
    labelNames: ['host'] as const,
    registers: [this.registry],
  });
  readonly agentBytes = new Counter({
    name: 'supergrep_agent_bytes_total',
    help: 'Bytes of lines taken in from agents (duplicates excluded)',
    labelNames: ['host'] as const,
    registers: [this.registry],
  });
  readonly linesMatched = new Counter({
    name: 'supergrep_lines_matched_total',
    help: 'Lines matched by a live filter, counted once per distinct filter',
    registers: [this.registry],
  });
  readonly clientDroppedLines = new Counter({
    name: 'supergrep_client_dropped_lines_total',
    help: 'Matching lines discarded from slow viewers\u2019 send queues',
    registers: [this.registry],
  });
  readonly viewers = new Gauge({
    name: 'supergrep_viewers',
    help: 'Open viewer connections',
    registers: [this.registry],
  });
  readonly agents = new Gauge({
    name: 'supergrep_agents',
    help: 'Open agent connections',
    registers: [this.registry],
  });
  readonly badPatterns = new Counter({
    name: 'supergrep_bad_patterns_total',
    help: 'Subscriptions refused because a pattern did not compile',
    registers: [this.registry],
  });
  readonly protocolErrors = new Counter({
    name: 'supergrep_protocol_errors_total',
    help: 'Connections closed for a malformed message',
    labelNames: ['endpoint'] as const,
    registers: [this.registry],
  });
  readonly truncatedLines = new Counter({
    name: 'supergrep_truncated_lines_total',
    help: 'Lines cut at the maximum line length, by the agent or by the hub',
    registers: [this.registry],
  });
  readonly duplicateBatches = new Counter({
    name: 'supergrep_duplicate_batches_total',
    help: 'Agent batches dropped because the hub already held their lines',
    registers: [this.registry],
  });

  readonly redactions = new Counter({
    name: 'supergrep_redactions_total',
    help: 'Secrets replaced in lines before they left the hub (stored lines and captures), by redaction rule; includes those replaced by agents with the rules the hub offered',
    labelNames: ['rule'] as const,
    registers: [this.registry],
  });
  readonly redactionScans = new Counter({
    name: 'supergrep_redaction_scans_total',
    help: 'Batches scanned for secrets, by where the scan ran: at the agent (with the rules the hub offered) or at the hub',
    labelNames: ['at'] as const,
    registers: [this.registry],
  });
  readonly agentRateDroppedLines = new Counter({
    name: 'supergrep_agent_rate_dropped_lines_total',
    help: 'Lines dropped because their agent connection sent more than maxAgentLinesPerSec',
    labelNames: ['host'] as const,
    registers: [this.registry],
  });

  readonly agentHellosRefused = new Counter({
    name: 'supergrep_agent_hellos_refused_total',
    help: 'Agent hellos refused: host owned by another agent token, host not allowed for the token (agentHosts), or too many hosts for the token',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly agentFramesRefused = new Counter({
    name: 'supergrep_agent_frames_refused_total',
    help: 'Agent lines frames refused: offsets that do not add up (the connection is closed), or a new file over the per-host or per-token file limit (its lines are dropped)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly agentTimestampsReplaced = new Counter({
    name: 'supergrep_agent_timestamps_replaced_total',
    help: 'Agent batches whose ts was not a time within maxAgentClockSkewMs of the hub\u2019s clock and got the hub\u2019s clock instead',
    registers: [this.registry],
  });

  /** One series per pin, labelled with its name (unique per hub); removed when the pin is deleted. */
  readonly pinMatches = new Counter({
    name: 'supergrep_pin_matches_total',
    help: 'Lines matched by each pinned filter since the hub started',
    labelNames: ['pin'] as const,
    registers: [this.registry],
  });
  readonly pinCountsDropped = new Counter({
    name: 'supergrep_pin_counts_dropped_total',
    help: 'Pin matches left out of the stored rate graphs because the database refused them for too long',
    registers: [this.registry],
  });
  readonly statsdErrors = new Counter({
    name: 'supergrep_statsd_errors_total',
    help: 'Failed sends of pin counters to StatsD',
    registers: [this.registry],
  });

  /** Alert webhooks (docs/alerts.md), labelled with the webhook's name or, without one, its host. */
  readonly webhookSent = new Counter({
    name: 'supergrep_webhook_sent_total',
    help: 'Alert notifications a webhook accepted (2xx)',
    labelNames: ['webhook'] as const,
    registers: [this.registry],
  });
  readonly webhookFailedAttempts = new Counter({
    name: 'supergrep_webhook_failed_attempts_total',
    help: 'Webhook POSTs that failed (error, timeout or non-2xx answer), retries included',
    labelNames: ['webhook'] as const,
    registers: [this.registry],
  });
  readonly webhookGivenUp = new Counter({
    name: 'supergrep_webhook_given_up_total',
    help: 'Alert notifications given up after their last attempt, or at once on a 4xx answer',
    labelNames: ['webhook'] as const,
    registers: [this.registry],
  });
  readonly webhookDropped = new Counter({
    name: 'supergrep_webhook_dropped_total',
    help: 'Alert notifications dropped unsent, oldest first, because the webhook\u2019s queue was full',
    labelNames: ['webhook'] as const,
    registers: [this.registry],
  });

  readonly filterEvalSeconds = new Histogram({
    name: 'supergrep_filter_eval_seconds',
    help: 'Time one pattern group (kind="group") or one filter evaluated alone (kind="alone", or "costly" for a costly pattern) took over one batch',
    labelNames: ['kind'] as const,
    buckets: [0.00001, 0.0001, 0.001, 0.01, 0.1, 1],
    registers: [this.registry],
  });
  readonly costlyFilters = new Gauge({
    name: 'supergrep_costly_filters',
    help: 'Live filters with a costly pattern (large counted repetitions), evaluated alone and line by line',
    registers: [this.registry],
  });
  readonly tooExpensiveFilters = new Counter({
    name: 'supergrep_too_expensive_filters_total',
    help: 'Filters refused or stopped with SG_ERR_TOO_EXPENSIVE: reason="pattern" (too large), "viewer" or "hub" (too many costly filters), "suspended" (took too much time)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly historyDroppedBlocks = new Counter({
    name: 'supergrep_history_dropped_blocks_total',
    help: 'History blocks deleted by retention (historyMaxBytes, historyMaxAgeMs)',
    registers: [this.registry],
  });
  readonly historyDroppedBytes = new Counter({
    name: 'supergrep_history_dropped_bytes_total',
    help: 'Bytes of history segment files deleted by retention',
    registers: [this.registry],
  });
  readonly historyWriteErrors = new Counter({
    name: 'supergrep_history_write_errors_total',
    help: 'Failed writes to history (disk full, unwritable); lines taken in while it fails are not kept in history',
    registers: [this.registry],
  });
  readonly historyCorruptBlocks = new Counter({
    name: 'supergrep_history_corrupt_blocks_total',
    help: 'History blocks skipped because they failed their checksum or did not decode',
    registers: [this.registry],
  });

  /** The history store's counters. */
  historyObserver(): HistoryObserver {
    return {
      dropped: (blocks, bytes) => {
        this.historyDroppedBlocks.inc(blocks);
        this.historyDroppedBytes.inc(bytes);
      },
      writeError: () => this.historyWriteErrors.inc(),
      corruptBlock: () => this.historyCorruptBlocks.inc(),
    };
  }

  /** Gauges of what history holds, read from `stats` at each scrape. */
  watchHistory(stats: () => HistoryStats): void {
    new Gauge({ name: 'supergrep_history_bytes', help: 'Bytes of sealed history blocks on disk', registers: [this.registry], collect() { this.set(stats().bytes); } });
    new Gauge({ name: 'supergrep_history_blocks', help: 'Sealed history blocks on disk', registers: [this.registry], collect() { this.set(stats().blocks); } });
    new Gauge({
      name: 'supergrep_history_oldest_timestamp_seconds',
      help: 'Time of the oldest line held in history (0 when empty)',
      registers: [this.registry],
      collect() {
        this.set((stats().oldestTime ?? 0) / 1000);
      },
    });
  }

  /** Feeds the three metrics above from the filter engine. */
  filterCostObserver(): FilterCostObserver {
    const kinds = new Map<EvaluationKind, Histogram.Internal<'kind'>>();
    return {
      evaluated: (kind, seconds) => {
        let child = kinds.get(kind);
        if (!child) {
          child = this.filterEvalSeconds.labels(kind);
          kinds.set(kind, child);
        }
        child.observe(seconds);
      },
      costlyFilters: (count) => this.costlyFilters.set(count),
      tooExpensive: (reason) => this.tooExpensiveFilters.labels(reason).inc(),
    };
  }

  /** Hosts with per-host series: open connections, and since when the last one closed. */
  private readonly hostSeries = new Map<string, { connections: number; goneSinceMs: number }>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** An agent connection for `host` opened: its series are kept while any is open. */
  hostConnected(host: string): void {
    const entry = this.hostSeries.get(host);
    if (entry) entry.connections += 1;
    else this.hostSeries.set(host, { connections: 1, goneSinceMs: 0 });
  }

  hostDisconnected(host: string, nowMs: number): void {
    const entry = this.hostSeries.get(host);
    if (!entry) return;
    entry.connections = Math.max(0, entry.connections - 1);
    if (entry.connections === 0) entry.goneSinceMs = nowMs;
  }

  /** Removes the per-host series of hosts without a connection since before `cutoffMs`. */
  pruneHostSeries(cutoffMs: number): void {
    for (const [host, entry] of this.hostSeries) {
      if (entry.connections > 0 || entry.goneSinceMs > cutoffMs) continue;
      this.hostSeries.delete(host);
      for (const counter of [this.agentLines, this.agentBytes, this.agentRateDroppedLines]) counter.remove(host);
    }
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
