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
import type { SourceRegistry } from './source-registry.js';

/** An agent over its line rate is logged at most this often, with the lines dropped meanwhile. */
const RATE_LOG_INTERVAL_MS = 10_000;

export interface AgentConnectionDeps {
  config: HubConfig;
  logger: Logger;
  hubId: string;
  registry: SourceRegistry;
  pipeline: BatchPipeline;
  metrics: HubMetrics;
  /** With --nats: acks wait until NATS holds the lines they cover (Cluster.ackGate). */
  ackGate?: AckGate | undefined;
}

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
    const { config, registry, metrics, hubId } = this.deps;
    this.hello = hello;
    this.linesCounter = metrics.agentLines.labels(hello.host);
    this.bytesCounter = metrics.agentBytes.labels(hello.host);
    registry.agentConnected(hello.host);
    metrics.agents.inc();
    this.send({
      type: 'welcome',
      protocolVersion: PROTOCOL_VERSION,
      hubId,
      resume: registry.resumePoints(hello.host),
      limits: { maxFrameBytes: config.maxAgentFrameBytes, maxLineBytes: config.maxLineBytes },
      ...(this.deps.pipeline.agentRedaction && { redaction: this.deps.pipeline.agentRedaction }),
    });
    this.deps.logger.info(
      { host: hello.host, remote: this.remote, agentVersion: hello.agentVersion, tokenName: this.tokenName },
      'agent connected',
    );
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
    this.lastBatch = header.batch;
    const { registry, pipeline, metrics } = this.deps;
    const held = registry.resumeOffset(hello.host, header.fileId);
    if (held !== undefined && header.endOffset <= held) {
      // Sent again after a reconnect: the hub already holds these lines. Acked so the agent moves on.
      metrics.duplicateBatches.inc();
    } else {
      let batch = { body, lineCount: header.lineCount, truncated: header.truncated };
      if (this.rateLimit && body.length > 0) {
        const limited = this.rateLimit.apply(body, header.truncated);
        if (limited.droppedLines > 0) this.dropOverRate(hello.host, limited.droppedLines);
        batch = limited;
      }
      if (batch.body.length > 0) {
        const source = registry.source(hello.host, header.file);
        pipeline.take(source, {
          body: batch.body,
          ts: header.ts,
          lineCount: batch.lineCount,
          truncated: batch.truncated,
          redaction: header.redaction,
          redactions: header.redactions,
        });
        this.linesCounter!.inc(batch.lineCount);
        this.bytesCounter!.inc(batch.body.length);
      }
      // Lines dropped over the rate are acknowledged like the others: they are given up, not owed.
      registry.recordTaken(hello.host, header.fileId, header.file, header.endOffset);
    }
    this.acks.taken(header.batch);
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

  private fail(code: 'SG_ERR_PROTOCOL' | 'SG_ERR_VERSION' | 'SG_ERR_INTERNAL', message: string, closeCode: number): void {
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
    this.deps.registry.agentDisconnected(this.hello.host);
    this.deps.metrics.agents.dec();
    this.deps.logger.info({ host: this.hello.host, remote: this.remote, code }, 'agent disconnected');
  }
}
