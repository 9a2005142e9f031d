import type { RawData, WebSocket } from 'ws';
import type { Counter } from 'prom-client';
import {
  CLOSE_CODES,
  FrameError,
  PROTOCOL_VERSION,
  agentToHubSchema,
  decodeLinesFrame,
  parseMessage,
  type AgentHello,
  type HubToAgent,
  type LinesFrame,
} from '../../protocol/node.js';
import type { Logger } from '../../lib/logger.js';
import { AckCoalescer, type AckGate } from './ack-coalescer.js';
import { AgentRateLimit } from './agent-rate-limit.js';
import type { BatchPipeline } from './batch-pipeline.js';
import type { HubConfig } from '../config.js';
import type { HubMetrics } from '../metrics.js';
import { LogThrottle } from '../../lib/log-throttle.js';
import { closeReason, sendIfOpen, toBuffer } from '../transport/socket-util.js';
import { batchTime, offsetProblem } from './frame-checks.js';
import type { HostClaimant, HostOwnership } from './host-ownership.js';
import type { SourceRegistry } from './source-registry.js';

/** An agent over its line rate is logged at most this often, with the lines dropped meanwhile. */
const RATE_LOG_INTERVAL_MS = 10_000;
/** Files over the file limits are reported to the agent once each, up to this many per connection. */
const MAX_REFUSED_FILES_REPORTED = 100;

export interface AgentConnectionDeps {
  config: HubConfig;
  logger: Logger;
  hubId: string;
  registry: SourceRegistry;
  pipeline: BatchPipeline;
  metrics: HubMetrics;
  /** With --nats: acks wait until NATS holds the lines they cover (Cluster.ackGate). */
  ackGate?: AckGate | undefined;
  /** Which agent token may send as which host; absent: any (tests of the pipeline alone). */
  ownership?: HostOwnership | undefined;
}

type FailCode = 'SG_ERR_PROTOCOL' | 'SG_ERR_VERSION' | 'SG_ERR_INTERNAL' | 'SG_ERR_FORBIDDEN' | 'SG_ERR_LIMIT' | 'SG_ERR_STORAGE';

/**
 * One agent's socket: hello and welcome (with resume points), then binary lines frames, each taken
 * in (or dropped as a duplicate) synchronously as it is read, and acknowledged cumulatively once per
 * event-loop turn (AckCoalescer). Any malformed frame closes this connection only.
 */
export class AgentConnection {
  private hello: AgentHello | undefined;
  private lastBatch = 0;
  private closed = false;
  private readonly helloTimer: NodeJS.Timeout;
  private linesCounter: Counter.Internal | undefined;
  private bytesCounter: Counter.Internal | undefined;
  /** maxAgentLinesPerSec, when configured. */
  private readonly rateLimit: AgentRateLimit | undefined;
  private readonly rateLog = new LogThrottle(RATE_LOG_INTERVAL_MS);
  private droppedSinceLog = 0;
  private readonly acks: AckCoalescer;
  /** This connection as the owner of its host, once its hello was accepted with a token. */
  private claimant: HostClaimant | undefined;
  /** Paths refused for the file limits already reported to the agent. */
  private readonly refusedFiles = new Set<string>();

  constructor(
    private readonly socket: WebSocket,
    private readonly remote: string | undefined,
    private readonly tokenName: string | undefined,
    private readonly deps: AgentConnectionDeps,
  ) {
    this.acks = new AckCoalescer((batch) => this.send({ type: 'ack', batch }), deps.ackGate);
    const linesPerSec = deps.config.maxAgentLinesPerSec;
    this.rateLimit = linesPerSec === undefined ? undefined : new AgentRateLimit(linesPerSec);
    this.helloTimer = setTimeout(
      () => this.protocolError(`no hello within ${deps.config.helloTimeoutMs} ms`),
      deps.config.helloTimeoutMs,
    );
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    socket.on('close', (code) => this.onClose(code));
    socket.on('error', (err) => {
      // ws reports oversized or invalid frames here and closes the socket itself.
      this.deps.metrics.protocolErrors.labels('agent').inc();
      this.deps.logger.warn({ host: this.hello?.host, remote: this.remote, reason: err.message }, 'agent socket error');
    });
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    try {
      if (isBinary) this.onFrame(toBuffer(data));
      else this.onText(toBuffer(data).toString('utf8'));
    } catch (err) {
      this.deps.logger.error({ err, host: this.hello?.host, remote: this.remote }, 'agent frame handling failed');
      this.fail('SG_ERR_INTERNAL', 'the hub failed to handle a frame', 1011);
    }
  }

  private onText(text: string): void {
    const parsed = parseMessage(agentToHubSchema, text);
    if (!parsed.ok) return this.protocolError(`invalid message: ${parsed.error}`);
    if (this.hello) return this.protocolError('hello was already received');
    const hello = parsed.value;
    clearTimeout(this.helloTimer);
    if (hello.protocolVersion !== PROTOCOL_VERSION) {
      this.deps.logger.warn({ host: hello.host, remote: this.remote, protocolVersion: hello.protocolVersion }, 'agent protocol version refused');
      return this.fail(
        'SG_ERR_VERSION',
        `protocol version ${hello.protocolVersion} is not supported; this hub speaks version ${PROTOCOL_VERSION}`,
        CLOSE_CODES.versionMismatch,
      );
    }
    if (!this.admit(hello.host)) return;
    const { config, registry, metrics, hubId } = this.deps;
    this.hello = hello;
    this.linesCounter = metrics.agentLines.labels(hello.host);
    this.bytesCounter = metrics.agentBytes.labels(hello.host);
    metrics.hostConnected(hello.host);
    registry.agentConnected(hello.host, this.tokenName);
    metrics.agents.inc();
    this.send({
      type: 'welcome',
      protocolVersion: PROTOCOL_VERSION,
      hubId,
      // Only files this token sent: another token never learns a host's file ids or offsets.
      resume: registry.resumePoints(hello.host, this.tokenName),
      limits: { maxFrameBytes: config.maxAgentFrameBytes, maxLineBytes: config.maxLineBytes },
      ...(this.deps.pipeline.agentRedaction && { redaction: this.deps.pipeline.agentRedaction }),
    });
    this.deps.logger.info(
      { host: hello.host, remote: this.remote, agentVersion: hello.agentVersion, tokenName: this.tokenName },
      'agent connected',
    );
  }

  /**
   * Whether this connection's token may send as `host`: the host is its own (HostOwnership) and the
   * token stays within maxHostsPerAgentToken. A refusal is logged, counted, and closes the connection.
   */
  private admit(host: string): boolean {
    const { ownership, registry, config, metrics, logger } = this.deps;
    const token = this.tokenName;
    if (ownership === undefined || token === undefined) return true;
    const refuse = (reason: string, code: FailCode, message: string, closeCode: number): false => {
      metrics.agentHellosRefused.labels(reason).inc();
      logger.warn({ host, remote: this.remote, tokenName: token, reason }, `agent refused: ${message}`);
      this.fail(code, message, closeCode);
      return false;
    };
    if (!registry.hasHostOf(host, token) && registry.hostCountOf(token) >= config.maxHostsPerAgentToken) {
      return refuse(
        'host-limit',
        'SG_ERR_LIMIT',
        `this agent token already has ${config.maxHostsPerAgentToken} hosts, the most this hub lists per token (maxHostsPerAgentToken)`,
        CLOSE_CODES.limit,
      );
    }
    const claimant: HostClaimant = { token, evict: (message) => this.fail('SG_ERR_FORBIDDEN', message, CLOSE_CODES.forbidden) };
    const claim = ownership.claim(host, claimant);
    if (!claim.ok) {
      if (claim.reason === 'storage') return refuse(claim.reason, 'SG_ERR_STORAGE', claim.message, 1011);
      return refuse(claim.reason, 'SG_ERR_FORBIDDEN', claim.message, CLOSE_CODES.forbidden);
    }
    if (claim.previousOwner !== undefined) {
      logger.warn({ host, remote: this.remote, tokenName: token, previousToken: claim.previousOwner }, 'host taken over from another agent token (listed in agentHosts, or the owner was gone or unconfigured)');
    }
    this.claimant = claimant;
    return true;
  }

  private onFrame(frame: Buffer): void {
    const hello = this.hello;
    if (!hello) return this.protocolError('lines frame before hello');
    let decoded: LinesFrame;
    try {
      decoded = decodeLinesFrame(frame);
    } catch (err) {
      if (err instanceof FrameError) return this.protocolError(err.message);
      throw new Error('decode lines frame', { cause: err });
    }
    const { header, body } = decoded;
    if (header.batch !== this.lastBatch + 1) {
      return this.protocolError(`batch ${header.batch} out of order (expected ${this.lastBatch + 1})`);
    }
    const { registry, pipeline, metrics, config } = this.deps;
    const offsets = offsetProblem(header, body.length, config.maxLineBytes);
    if (offsets !== undefined) {
      // Closes the connection: batches before this one are acknowledged, later ones are sent again.
      metrics.agentFramesRefused.labels('offsets').inc();
      return this.protocolError(offsets);
    }
    this.lastBatch = header.batch;
    const token = this.tokenName;
    const held = registry.resumeOffset(hello.host, header.fileId, token);
    const overLimit = header.lineCount > 0 ? registry.newSourceProblem(hello.host, header.file) : undefined;
    if (held !== undefined && header.endOffset <= held) {
      // Sent again after a reconnect: the hub already holds these lines. Acked so the agent moves on.
      metrics.duplicateBatches.inc();
    } else if (overLimit !== undefined) {
      // Dropped and acknowledged, like lines over the rate: given up, not owed.
      this.refuseFile(hello.host, header.file, overLimit);
    } else {
      let batch = { body, lineCount: header.lineCount, truncated: header.truncated };
      if (this.rateLimit && body.length > 0) {
        const limited = this.rateLimit.apply(body, header.truncated);
        if (limited.droppedLines > 0) this.dropOverRate(hello.host, limited.droppedLines);
        batch = limited;
      }
      if (batch.body.length > 0) {
        const source = registry.source(hello.host, header.file);
        const time = batchTime(header.ts, Date.now(), config.maxAgentClockSkewMs);
        if (time.replaced) metrics.agentTimestampsReplaced.inc();
        pipeline.take(source, {
          body: batch.body,
          ts: time.ts,
          lineCount: batch.lineCount,
          truncated: batch.truncated,
          redaction: header.redaction,
          redactions: header.redactions,
          sender: this.tokenName,
          resume: { fileId: header.fileId, endOffset: header.endOffset, token },
        });
        this.linesCounter!.inc(batch.lineCount);
        this.bytesCounter!.inc(batch.body.length);
      }
      // Lines dropped over the rate are acknowledged like the others: they are given up, not owed.
      registry.recordTaken(hello.host, header.fileId, header.file, header.endOffset, token);
    }
    this.acks.taken(header.batch);
  }

  /** Counts a frame of a file over the file limits, and tells the agent and the log once per file. */
  private refuseFile(host: string, file: string, message: string): void {
    this.deps.metrics.agentFramesRefused.labels('file-limit').inc();
    if (this.refusedFiles.has(file) || this.refusedFiles.size >= MAX_REFUSED_FILES_REPORTED) return;
    this.refusedFiles.add(file);
    this.deps.logger.warn({ host, remote: this.remote, tokenName: this.tokenName, file }, 'agent file refused: over the file limits');
    this.send({ type: 'error', code: 'SG_ERR_LIMIT', message });
  }

  /** Counts lines dropped over maxAgentLinesPerSec and logs it, at most every RATE_LOG_INTERVAL_MS. */
  private dropOverRate(host: string, lines: number): void {
    this.deps.metrics.agentRateDroppedLines.labels(host).inc(lines);
    this.droppedSinceLog += lines;
    this.rateLog.run(() => {
      this.deps.logger.warn(
        { host, remote: this.remote, maxAgentLinesPerSec: this.deps.config.maxAgentLinesPerSec, droppedLines: this.droppedSinceLog },
        'agent sends more lines than maxAgentLinesPerSec; dropping the excess',
      );
      this.droppedSinceLog = 0;
    });
  }

  private send(message: HubToAgent): void {
    sendIfOpen(this.socket, JSON.stringify(message));
  }

  private protocolError(reason: string): void {
    if (this.closed) return;
    this.deps.metrics.protocolErrors.labels('agent').inc();
    this.deps.logger.warn({ host: this.hello?.host, remote: this.remote, reason }, 'agent protocol error; closing its connection');
    this.fail('SG_ERR_PROTOCOL', reason, CLOSE_CODES.protocolError);
  }

  private fail(code: FailCode, message: string, closeCode: number): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.helloTimer);
    // What was taken in before the failure is acknowledged first, so the agent does not resend it.
    this.acks.flush();
    this.send({ type: 'error', code, message });
    this.socket.close(closeCode, closeReason(message));
  }

  private onClose(code: number): void {
    this.closed = true;
    clearTimeout(this.helloTimer);
    this.acks.cancel();
    if (!this.hello) return;
    if (this.claimant) this.deps.ownership?.release(this.hello.host, this.claimant);
    this.deps.registry.agentDisconnected(this.hello.host);
    this.deps.metrics.hostDisconnected(this.hello.host, Date.now());
    this.deps.metrics.agents.dec();
    this.deps.logger.info({ host: this.hello.host, remote: this.remote, code }, 'agent disconnected');
  }
}
