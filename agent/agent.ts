import type { Logger } from '../lib/logger.js';
import { readCaFile } from '../lib/tls-trust.js';
import type { AgentConfig } from './agent-config.js';
import { newSendCounters, type AgentStats, type SendCounters } from './agent-stats.js';
import { AGENT_VERSION } from './agent-version.js';
import { BatchSender } from './shipping/batch-sender.js';
import { CheckpointStore } from './state/checkpoint-store.js';
import { Discovery } from './discovery/discovery.js';
import { EventRules } from './events/event-rules.js';
import { FormatChooser } from './formats/format-detect.js';
import { FileRegistry } from './tailing/file-registry.js';
import { HubConnection } from './shipping/hub-connection.js';
import { displayUrl } from './shipping/hub-url.js';
import { SourceMux } from './shipping/source-mux.js';
import { JournalSource } from './journal/journal-source.js';
import { journalQuery } from './journal/journal-query.js';

export type { AgentStats } from './agent-stats.js';

/** Files found at start-up are opened this many at a time. */
const START_GROUP_FILES = 50;

/**
 * The tail agent: follows files and globs (and the journal) and streams their lines to a hub. Wiring
 * only: discovery finds files, the registry follows them, the journal source reads journalctl, the
 * sender reads batches and sends them over the hub connection, and acknowledged offsets go to the
 * checkpoint store.
 */
export class Agent {
  private readonly counters: SendCounters = newSendCounters();
  private readonly store: CheckpointStore;
  private readonly registry: FileRegistry;
  private readonly discovery: Discovery;
  private readonly connection: HubConnection;
  private readonly sender: BatchSender;
  private readonly journal: JournalSource | undefined;
  private state: 'new' | 'running' | 'stopped' = 'new';
  private statsTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: AgentConfig,
    private readonly logger: Logger,
  ) {
    this.store = new CheckpointStore(config.stateFile, logger, { isOpen: (key) => this.registry.isOpen(key) });
    this.registry = new FileRegistry(
      this.store,
      {
        fromStart: config.fromStart,
        maxLineBytes: config.maxLineBytes,
        pollIntervalMs: config.pollIntervalMs,
        rotatedIdleCloseMs: config.rotatedIdleCloseMs,
        changeReadsPerSecond: config.changeReadsPerSecond,
        closeIdleAfterMs: config.closeIdleAfterMs,
        eventRules: new EventRules(config.multiline, config.maxLineBytes),
        formats: new FormatChooser(config.format, config.formats),
      },
      logger,
      () => this.sender.kick(),
    );
    this.discovery = new Discovery(config.paths, config.rescanIntervalMs, logger, {
      appeared: (path) => void this.registry.found(path),
      removed: (path) => void this.registry.lost(path),
      listed: (path) => void this.registry.add(path, false),
    });
    this.connection = new HubConnection(
      {
        hubs: config.hubs,
        token: config.token,
        ca: config.caFile === undefined ? undefined : readCaFile(config.caFile),
        name: config.name,
        agentVersion: AGENT_VERSION,
        heartbeatIntervalMs: config.heartbeatIntervalMs,
        reconnectBaseMs: config.reconnectBaseMs,
        reconnectCapMs: config.reconnectCapMs,
      },
      logger,
      {
        onWelcome: (welcome) => this.sender.onWelcome(welcome),
        onAck: (batch) => this.sender.onAck(batch),
        onDisconnect: () => this.sender.onDisconnect(),
      },
    );
    if (config.journal) {
      this.journal = new JournalSource(
        {
          query: journalQuery(config.journal, config.fromStart),
          command: config.journal.command,
          agentName: config.name,
          maxLineBytes: config.maxLineBytes,
          maxQueuedBytes: config.maxInflightBytes + config.batchMaxBytes,
        },
        this.store,
        logger,
        () => this.sender.kick(),
      );
    }
    this.sender = new BatchSender(
      { batchMaxBytes: config.batchMaxBytes, maxInflightBytes: config.maxInflightBytes, maxLineBytes: config.maxLineBytes },
      this.journal ? new SourceMux(this.registry, [this.journal]) : this.registry,
      this.connection,
      this.counters,
      logger,
    );
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`agent cannot start: it is ${this.state}`);
    this.state = 'running';
    await this.store.load();
    let existing: string[];
    try {
      existing = await this.discovery.start();
    } catch (cause) {
      throw new Error('start watching the configured paths', { cause });
    }
    // Side by side, so their first checkpoints go to disk in few writes rather than one each; in
    // groups, so thousands of files do not all hold their buffers and promises at once.
    for (let index = 0; index < existing.length; index += START_GROUP_FILES) {
      await Promise.all(existing.slice(index, index + START_GROUP_FILES).map((path) => this.registry.add(path, true)));
    }
    this.registry.startPolling();
    this.journal?.start();
    this.store.start(this.config.checkpointIntervalMs);
    this.connection.start();
    if (this.config.statsIntervalMs > 0) {
      this.statsTimer = setInterval(() => this.logger.info(this.stats(), 'agent stats'), this.config.statsIntervalMs);
      this.statsTimer.unref();
    }
    this.logger.info({ paths: this.config.paths, journal: this.journal?.reportPath, files: this.registry.fileCount, hubs: this.config.hubs.map(displayUrl) }, 'agent started');
  }

  /** Stops following, closes the hub connection, writes the checkpoints and closes every file. */
  async stop(): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'stopped';
    clearInterval(this.statsTimer);
    await this.discovery.stop();
    await this.registry.stopPolling();
    await this.journal?.stop();
    await this.connection.stop();
    await this.sender.stop();
    await this.store.stop();
    await this.registry.close();
    this.logger.info(this.stats(), 'agent stopped');
  }

  stats(): AgentStats {
    return {
      ...this.counters,
      filesFollowed: this.registry.fileCount,
      filesClosedIdle: this.registry.closedIdleCount,
      ...(this.journal ? { journalRestarts: this.journal.restarts } : {}),
      reconnects: this.connection.reconnects,
      checkpointErrors: this.store.errors,
      inflightBytes: this.sender.inflightBytes,
      connected: this.connection.ready,
    };
  }
}
