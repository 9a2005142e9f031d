import type { RequestHandler, Request, Response } from 'express';
import type { ErrorCode } from '../../protocol/index.js';
import type { Logger } from '../../lib/logger.js';
import { apiError } from './api-router.js';
import { FilterError } from '../filter/filter-engine.js';
import { storageFailure } from './storage-failure.js';

/** A refusal a route decides on: sent as `{error: {code, message}}` with `status`. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

export function notFound(what: string, id: string): ApiFailure {
  return new ApiFailure(404, 'SG_ERR_NOT_FOUND', `no ${what} with id ${JSON.stringify(id)}`);
}

/**
 * Wraps a route, synchronous (SQLite) or not (JetStream in a cluster): refusals and pattern errors become their
 * JSON answers, a database failure a logged 507/500 SG_ERR_STORAGE; anything else goes on to the
 * API router's error handler (500 SG_ERR_INTERNAL, logged).
 */
export function route(logger: Logger, handler: (req: Request, res: Response) => void | Promise<void>): RequestHandler {
  return async (req, res, next) => {
    try {
      await handler(req, res);
    } catch (err) {
      if (err instanceof ApiFailure) {
        res.status(err.status).json(apiError(err.code, err.message));
        return;
      }
      if (err instanceof FilterError) {
        res.status(400).json(apiError(err.code, err.message));
        return;
      }
      const storage = storageFailure(err);
      if (storage) {
        logger.error({ err, method: req.method, path: req.originalUrl, sqlite: storage.sqliteCode }, 'database error in an API request');
        res.status(storage.status).json(apiError('SG_ERR_STORAGE', storage.message));
        return;
      }
      next(err);
    }
  };
}
