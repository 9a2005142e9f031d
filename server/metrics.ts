import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

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

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
