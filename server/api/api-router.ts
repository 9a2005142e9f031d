import express, { type ErrorRequestHandler, type Router } from 'express';
import type { ApiError, ErrorCode } from '../../protocol/index.js';
import type { Logger } from '../../lib/logger.js';
import type { Authenticator } from '../access/authenticator.js';
import { authenticate, guardWrites } from '../access/http-guards.js';

/** Adds routes under /api; receives the router after auth and body parsing are in place. */
export type ApiMount = (router: Router) => void;

export interface ApiRouterOptions {
  access: Authenticator;
  /** Origins besides the hub's own whose pages may call it (HubConfig.allowedOrigins). */
  allowedOrigins: readonly string[];
  /** Largest JSON body accepted (HubConfig.maxApiBodyBytes). */
  maxBodyBytes: number;
  logger: Logger;
  /**
   * Where feature routes plug in: `/api/pins`, `/api/deploys`, `/api/captures` are mounted here by
   * their own modules (e.g. `router.use('/pins', pinsRouter)`); each answers errors as ApiError.
   */
  mounts?: readonly ApiMount[];
}

export function apiError(code: ErrorCode, message: string): ApiError {
  return { error: { code, message } };
}

interface BodyParserError {
  type?: string;
  status?: number;
  message: string;
}

/**
 * The /api router: who is asking (401 without valid credentials), an editor for anything that
 * changes state (403 for viewers and for cross-site requests), JSON bodies with a size limit read
 * only after those checks, JSON errors with stable codes.
 */
export function createApiRouter(options: ApiRouterOptions): Router {
  const router = express.Router();
  router.use(authenticate(options.access));
  router.use(guardWrites(options.allowedOrigins));
  router.use(express.json({ limit: options.maxBodyBytes }));

  for (const mount of options.mounts ?? []) mount(router);

  router.use((req, res) => {
    res.status(404).json(apiError('SG_ERR_NOT_FOUND', `no API route ${req.method} ${req.baseUrl}${req.path}`));
  });

  const onError: ErrorRequestHandler = (err: BodyParserError, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    if (err.type === 'entity.parse.failed') {
      res.status(400).json(apiError('SG_ERR_BAD_REQUEST', `request body is not valid JSON: ${err.message}`));
      return;
    }
    if (err.type === 'entity.too.large') {
      res.status(413).json(apiError('SG_ERR_TOO_LARGE', `request body is larger than ${options.maxBodyBytes} bytes`));
      return;
    }
    if (err.status !== undefined && err.status >= 400 && err.status < 500) {
      res.status(err.status).json(apiError('SG_ERR_BAD_REQUEST', err.message));
      return;
    }
    options.logger.error({ err, method: req.method, path: req.originalUrl }, 'API request failed');
    res.status(500).json(apiError('SG_ERR_INTERNAL', 'the hub failed to handle this request'));
  };
  router.use(onError);
  return router;
}
