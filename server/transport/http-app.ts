import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express } from 'express';
import type { Logger } from '../../lib/logger.js';
import { supergrepPackage } from '../../lib/package-root.js';
import type { Authenticator } from '../access/authenticator.js';
import type { HostCheck } from '../access/host-check.js';
import { authenticate, guardHost } from '../access/http-guards.js';
import { createApiRouter, type ApiMount } from '../api/api-router.js';
import type { HubConfig } from '../config.js';
import type { HubMetrics } from '../metrics.js';
import { securityHeaders } from './security-headers.js';
import { tlsEnabled } from './tls.js';

export interface HttpAppDeps {
  config: HubConfig;
  logger: Logger;
  hubId: string;
  metrics: HubMetrics;
  access: Authenticator;
  /** Host names the hub answers to; every route but /healthz refuses the others. */
  hosts: HostCheck;
  startedAtMs: number;
  /** Live connection counts for /healthz. */
  counts(): { agents: number; viewers: number };
  /** More for /healthz (a cluster's NATS link); `degraded` makes the status "degraded", still with 200. */
  health?(): { degraded: boolean; details: Record<string, unknown> } | undefined;
  apiMounts?: readonly ApiMount[];
}

/**
 * The built UI, dist/ui in the package. Found from the package root rather than from this module,
 * which runs from the source (tests), from dist/server/ and from a chunk of the bundle.
 */
function defaultUiDir(): string {
  // Without a package (code copied elsewhere) the directory is missing and the placeholder is served.
  return join(supergrepPackage()?.root ?? process.cwd(), 'dist', 'ui');
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>supergrep</title></head>
<body>
<h1>supergrep hub is running</h1>
<p>The web UI has not been built, so there is nothing to show here. Run <code>npm run build</code>
and restart the hub. The WebSocket endpoints, <code>/healthz</code> and <code>/metrics</code> work without it.</p>
</body></html>
`;

/** Express app for everything that is not a WebSocket: health, metrics, API, the UI. */
export function createHttpApp(deps: HttpAppDeps): Express {
  const { config, metrics, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders({ tls: tlsEnabled(config) }));

  app.get('/healthz', (_req, res) => {
    const { agents, viewers } = deps.counts();
    const extra = deps.health?.();
    res.json({
      status: extra?.degraded ? 'degraded' : 'ok',
      hubId: deps.hubId,
      agents,
      viewers,
      uptimeSec: Math.round((Date.now() - deps.startedAtMs) / 1000),
      ...extra?.details,
    });
  });

  // After /healthz, which load balancers and probes call by whatever address they know.
  app.use(guardHost(deps.hosts));

  app.get('/metrics', authenticate(deps.access), async (_req, res, next) => {
    try {
      const { contentType, body } = await metrics.render();
      res.type(contentType).send(body);
    } catch (err) {
      next(new Error('render metrics', { cause: err }));
    }
  });

  app.use(
    '/api',
    createApiRouter({
      access: deps.access,
      allowedOrigins: config.allowedOrigins,
      maxBodyBytes: config.maxApiBodyBytes,
      logger,
      mounts: deps.apiMounts ?? [],
    }),
  );

  const uiDir = config.uiDir ?? defaultUiDir();
  const indexHtml = join(uiDir, 'index.html');
  if (existsSync(indexHtml)) {
    app.use(express.static(uiDir, { index: false }));
    // Client-side routes (e.g. /captures/abc) all load the app; it routes itself.
    app.get('/{*path}', (_req, res) => {
      res.set('Cache-Control', 'no-cache').sendFile(indexHtml);
    });
  } else {
    logger.warn({ uiDir }, 'web UI not found; serving a placeholder page');
    app.get('/{*path}', (_req, res) => {
      res.status(503).type('html').send(NOT_BUILT_PAGE);
    });
  }
  return app;
}
