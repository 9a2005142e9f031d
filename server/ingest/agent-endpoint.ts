import { WebSocketServer } from 'ws';
import type { Authenticator } from '../access/authenticator.js';
import { AgentConnection, type AgentConnectionDeps } from './agent-connection.js';
import type { Heartbeat } from '../transport/heartbeat.js';
import { closeServer, remoteAddress } from '../transport/socket-util.js';
import { rejectUpgrade, type UpgradeHandler } from '../transport/upgrade-router.js';

export interface AgentEndpointDeps extends AgentConnectionDeps {
  access: Authenticator;
}

/**
 * The agent endpoint, /ws/agent. The token is checked on the upgrade request, so an agent with a
 * wrong token gets an HTTP 401 it can report, and nothing is allocated for it.
 */
export class AgentEndpoint {
  private readonly server: WebSocketServer;

  constructor(
    private readonly deps: AgentEndpointDeps,
    private readonly heartbeat: Heartbeat,
  ) {
    // ws enforces the frame limit while reading, before a too-large frame is buffered whole.
    this.server = new WebSocketServer({ noServer: true, maxPayload: deps.config.maxAgentFrameBytes });
  }

  readonly handleUpgrade: UpgradeHandler = (request, socket, head) => {
    const { logger } = this.deps;
    const remote = remoteAddress(request);
    const auth = this.deps.access.agent(request);
    if (auth.kind === 'refused') {
      logger.warn({ remote, reason: auth.message }, 'agent refused');
      rejectUpgrade(socket, auth.status, `supergrep: ${auth.message}`);
      return;
    }
    const tokenName = auth.name;
    this.server.handleUpgrade(request, socket, head, (ws) => {
      this.heartbeat.track(ws, { endpoint: 'agent', remote });
      new AgentConnection(ws, remote, tokenName, this.deps);
    });
  };

  /** Open agent sockets (including ones still waiting for their hello). */
  get connections(): number {
    return this.server.clients.size;
  }

  /** Closes every agent socket; agents reconnect to the next hub they know. */
  close(): Promise<void> {
    return closeServer(this.server, 1001, 'hub shutting down');
  }
}
